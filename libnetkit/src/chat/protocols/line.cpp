// Lesson 004's line protocol (usable with nc): asked for a name until it gives a free one, then
// every line it sends is a message; it receives "<name>: <text>" lines and notices, one per line.
#include <netkit/chat/protocols.hpp>

#include <netkit/chat/text.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/lines.hpp>

namespace netkit::chat {

namespace {

class line final : public protocol {
public:
    std::string_view name() const override { return "line"; }

    std::unique_ptr<message_decoder> decoder(std::size_t max_message) const override {
        return std::make_unique<framed<framing::line_decoder>>(max_message);
    }
    std::string_view quit() const override { return quit_command; }

    // Control characters of the name or text are replaced, so an event is exactly one line.
    std::string encode(const chat_event& event) const override {
        if (event.type == chat_event::kind::batch) return notice(notice_text(event));
        return printable_event(event, " joined the chat", " left the chat") + '\n';
    }
    std::string notice(std::string_view text) const override {
        std::string out;
        out.reserve(text.size() + 1);
        append_line_safe(out, text);
        out.push_back('\n');
        return out;
    }

    std::string_view prompt() const override { return "Type your name and press Enter."; }
    std::string_view goodbye() const override { return end_conn; }
};

}  // namespace

const protocol& line_protocol() {
    static const line description;
    return description;
}

}  // namespace netkit::chat
