// The browser page's protocol: WebSocket text frames of one JSON object each (client_message.hpp
// for what clients say, server_message.hpp for what they get). ws_session.cpp reads the frames
// (framing/websocket.hpp) and holds the conversation, so of this description the hub uses encode() (an event
// as a whole frame, shared by every browser), echoes_sender() and joins_bursts(): frames that
// arrived together go out in one buffer, each still one JSON object.
#include <netkit/chat/protocols.hpp>

#include <netkit/chat/server_message.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/per_read.hpp>

namespace netkit::chat {

namespace {

class websocket final : public protocol {
public:
    std::string_view name() const override { return "websocket"; }

    // Not used by ws_session, which also answers control frames; as a decoder of whole texts, one
    // text is one message.
    std::unique_ptr<message_decoder> decoder(std::size_t max_message) const override {
        return std::make_unique<framed<framing::per_read_decoder>>(max_message);
    }

    std::string encode(const chat_event& event) const override { return text_frame(event_json(event)); }
    std::string notice(std::string_view text) const override { return text_frame(notice_json(text)); }
    std::string_view goodbye() const override { return shutdown_notice; }
};

}  // namespace

const protocol& websocket_protocol() {
    static const websocket description;
    return description;
}

}  // namespace netkit::chat
