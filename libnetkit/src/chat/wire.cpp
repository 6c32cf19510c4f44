#include <netkit/chat/wire.hpp>

#include <netkit/chat/text.hpp>

namespace netkit::chat {

std::string joined_text(std::string_view name) { return std::string(name) + " joined the chat"; }
std::string left_text(std::string_view name) { return std::string(name) + " left the chat"; }

std::string renamed_text(std::string_view old_name, std::string_view new_name) {
    return "your name '" + std::string(old_name) + "' was taken on another node while the chat was split; you are now '" +
           std::string(new_name) + "'";
}

std::string counts_text(std::size_t joined, std::size_t left, std::string_view in, std::string_view out) {
    std::string text;
    if (joined > 0) text = std::to_string(joined) + ' ' + std::string(in);
    if (joined > 0 && left > 0) text += ", ";
    if (left > 0) text += std::to_string(left) + ' ' + std::string(out);
    return text;
}

std::string batch_text(std::size_t joined, std::size_t left) { return counts_text(joined, left, "joined", "left"); }

std::string notice_text(const chat_event& event) {
    switch (event.type) {
    case chat_event::kind::joined: return joined_text(event.name);
    case chat_event::kind::left: return left_text(event.name);
    default: return batch_text(event.joined.size(), event.left.size());
    }
}

std::string printable_event(const chat_event& event, std::string_view joined, std::string_view left) {
    std::string out;
    out.reserve(event.name.size() + event.text.size() + 32);
    append_line_safe(out, event.name);
    switch (event.type) {
    case chat_event::kind::message:
        out.append(": ");
        append_line_safe(out, event.text);
        break;
    case chat_event::kind::joined: out.append(joined); break;
    case chat_event::kind::left: out.append(left); break;
    case chat_event::kind::batch: break;  // the callers encode it: it has no name
    }
    return out;
}

}  // namespace netkit::chat
