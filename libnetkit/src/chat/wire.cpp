#include <netkit/chat/wire.hpp>

#include <netkit/chat/names.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/framing/length_header.hpp>

namespace netkit::chat {

std::string joined_text(std::string_view name) { return std::string(name) + " joined the chat"; }
std::string left_text(std::string_view name) { return std::string(name) + " left the chat"; }

std::string renamed_text(std::string_view old_name, std::string_view new_name) {
    return "your name '" + std::string(old_name) + "' was taken on another node while the chat was split; you are now '" +
           std::string(new_name) + "'";
}

namespace {
std::string counts_text(std::size_t joined, std::size_t left, std::string_view in, std::string_view out) {
    std::string text;
    if (joined > 0) text = std::to_string(joined) + ' ' + std::string(in);
    if (joined > 0 && left > 0) text += ", ";
    if (left > 0) text += std::to_string(left) + ' ' + std::string(out);
    return text;
}

std::string notice_text(const chat_event& event) {
    switch (event.type) {
    case chat_event::kind::joined: return joined_text(event.name);
    case chat_event::kind::left: return left_text(event.name);
    default: return batch_text(event.joined.size(), event.left.size());
    }
}
}  // namespace

std::string batch_text(std::size_t joined, std::size_t left) { return counts_text(joined, left, "joined", "left"); }
std::string report_batch_text(std::size_t joined, std::size_t left) {
    return counts_text(joined, left, "entrati", "usciti");
}

std::string header_notice(std::string_view text) {
    std::string out;
    out.reserve(2 * framing::header_length + server_name.size() + text.size());
    framing::append_length_frame(out, server_name);
    framing::append_length_frame(out, text);
    return out;
}

std::string header_event(const chat_event& event) {
    if (event.type != chat_event::kind::message) return header_notice(notice_text(event));
    std::string out;
    out.reserve(2 * framing::header_length + event.name.size() + event.text.size());
    framing::append_length_frame(out, event.name);
    framing::append_length_frame(out, event.text);
    return out;
}

std::string line_notice(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 1);
    append_line_safe(out, text);
    out.push_back('\n');
    return out;
}

namespace {
// "alice: text", or the name followed by the protocol's words for a join or a leave; control
// characters replaced so no event can pass for another.
std::string safe_event_text(const chat_event& event, std::string_view joined, std::string_view left) {
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
    case chat_event::kind::batch: break;  // encoded by the callers, it has no name
    }
    return out;
}
}  // namespace

std::string line_event(const chat_event& event) {
    if (event.type == chat_event::kind::batch) return line_notice(notice_text(event));
    return safe_event_text(event, " joined the chat", " left the chat") + '\n';
}

std::string report_notice(std::string_view text) {
    std::string out;
    append_line_safe(out, text);
    return out;
}

std::string report_event(const chat_event& event) {
    if (event.type == chat_event::kind::batch) return report_batch_text(event.joined.size(), event.left.size());
    return safe_event_text(event, " si è unito alla chat!", " ha abbandonato la Chat.");
}

std::string encode(protocol p, const chat_event& event) {
    switch (p) {
    case protocol::header: return header_event(event);
    case protocol::line: return line_event(event);
    case protocol::report: return report_event(event);
    }
    return {};
}

}  // namespace netkit::chat
