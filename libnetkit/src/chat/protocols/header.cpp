// Lesson 003's length-header protocol: every message a frame of a 10-byte ASCII length header and
// its payload. The first frame is the name, every later frame a message; the client receives
// (name, text) frame pairs, notices coming from the name "server".
#include <netkit/chat/protocols.hpp>

#include <netkit/chat/names.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/length_header.hpp>

namespace netkit::chat {

namespace {

std::string frame_pair(std::string_view name, std::string_view text) {
    std::string out;
    out.reserve(2 * framing::header_length + name.size() + text.size());
    framing::append_length_frame(out, name);
    framing::append_length_frame(out, text);
    return out;
}

class header final : public protocol {
public:
    std::string_view name() const override { return "header"; }

    std::unique_ptr<message_decoder> decoder(std::size_t max_message) const override {
        return std::make_unique<framed<framing::length_header_decoder>>(max_message);
    }

    std::string encode(const chat_event& event) const override {
        if (event.type != chat_event::kind::message) return notice(notice_text(event));
        return frame_pair(event.name, event.text);
    }
    std::string notice(std::string_view text) const override { return frame_pair(server_name, text); }

    // No prompt: the first frame is the name. A refused name closes the connection (no retry).
    bool asks_again() const override { return false; }
    std::string welcome(std::string_view name, std::size_t present, bool big_room) const override {
        // Lesson 003 has no welcome (a client's first event is its own join, byte for byte as the
        // lesson's server sends it); in a big room, where it sees no one else's join, it gets the count.
        return big_room ? protocol::welcome(name, present, big_room) : std::string();
    }
    std::string_view goodbye() const override { return shutdown_notice; }

    bool echoes_sender() const override { return false; }  // as in the lesson
};

}  // namespace

const protocol& header_protocol() {
    static const header description;
    return description;
}

}  // namespace netkit::chat
