// The browser page's protocol: WebSocket text frames of one JSON object each (client_message.hpp
// for what clients say, server_message.hpp for what they get). Beast does the framing and
// ws_session.hpp the conversation, so of this description the hub uses encode(), echoes_sender()
// and joins_bursts(): each event is one frame, never several joined into one buffer.
#include <netkit/chat/protocols.hpp>

#include <netkit/chat/server_message.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/per_read.hpp>

namespace netkit::chat {

namespace {

class websocket final : public protocol {
public:
    std::string_view name() const override { return "websocket"; }

    // Beast hands over whole frames; as a decoder, one frame's text is one message.
    std::unique_ptr<message_decoder> decoder(std::size_t max_message) const override {
        return std::make_unique<framed<framing::per_read_decoder>>(max_message);
    }

    std::string encode(const chat_event& event) const override { return event_json(event); }
    std::string notice(std::string_view text) const override { return notice_json(text); }
    std::string_view goodbye() const override { return shutdown_notice; }

    bool joins_bursts() const override { return false; }  // one JSON object per frame
};

}  // namespace

const protocol& websocket_protocol() {
    static const websocket description;
    return description;
}

}  // namespace netkit::chat
