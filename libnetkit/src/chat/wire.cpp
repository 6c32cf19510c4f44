#include <netkit/chat/wire.hpp>

#include <netkit/chat/names.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/framing/length_header.hpp>

namespace netkit::chat {

std::string joined_text(std::string_view name) { return std::string(name) + " joined the chat"; }
std::string left_text(std::string_view name) { return std::string(name) + " left the chat"; }

namespace {
std::string notice_text(const chat_event& event) {
    return event.type == chat_event::kind::joined ? joined_text(event.name) : left_text(event.name);
}
}  // namespace

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

std::string line_event(const chat_event& event) {
    std::string out;
    out.reserve(event.name.size() + event.text.size() + 20);
    append_line_safe(out, event.name);
    switch (event.type) {
    case chat_event::kind::message:
        out.append(": ");
        append_line_safe(out, event.text);
        break;
    case chat_event::kind::joined: out.append(" joined the chat"); break;
    case chat_event::kind::left: out.append(" left the chat"); break;
    }
    out.push_back('\n');
    return out;
}

std::string encode(protocol p, const chat_event& event) {
    return p == protocol::header ? header_event(event) : line_event(event);
}

}  // namespace netkit::chat
