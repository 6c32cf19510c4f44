// What the header and line sessions share: joining the hub, a bounded outbox drained by a writer
// coroutine with one gathered write per wakeup, reading without holding a buffer while idle, and
// the goodbye on shutdown.
#pragma once

#include <netkit/chat/hub.hpp>
#include <netkit/chat/options.hpp>
#include <netkit/chat/outbox.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/framing/error.hpp>
#include <netkit/log.hpp>
#include <netkit/tcp_session.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

class chat_session : public tcp_session, public participant {
public:
    chat_session(tcp::socket socket, hub& room, const chat_options& options, logger& log);

    // Runs serve() and the writer side by side; leaves the hub and flushes before returning.
    asio::awaitable<void> run() final;
    void deliver(shared_bytes bytes) final;

protected:
    // The protocol's straight-line conversation: read the name, then messages until the end.
    virtual asio::awaitable<void> serve() = 0;
    // The protocol's encoding of a notice from the server to this client.
    virtual std::string notice(std::string_view text) const = 0;
    // What the client gets when the server shuts down, just before the connection closes.
    virtual std::string goodbye() const = 0;
    // Sent to the client once its name is accepted, before the join notice (nothing by default).
    virtual void welcome() {}

    // Reserves `name`, welcomes the client and enters the hub. Returns why the name was refused.
    asio::awaitable<std::optional<std::string>> join(std::string name);
    // A message from this client to the chat.
    void say(std::string_view text);
    // Queues bytes for this client only.
    void send(std::string bytes);

    // The next frame from `decoder` (valid until the next read), nullopt at the end of the stream.
    // Throws framing::error when the client breaks the framing.
    template <class Decoder>
    asio::awaitable<std::optional<std::string_view>> read_frame(Decoder& decoder) {
        for (;;) {
            if (auto frame = decoder.next()) co_return frame;
            const std::string_view bytes = co_await receive_some();
            if (bytes.empty()) co_return std::nullopt;
            decoder.feed(bytes);
        }
    }

    // Graceful stop: goodbye(), then no more output; the reader sees the end of the stream.
    void on_stop_requested() override;

    const std::string& name() const { return name_; }
    std::string describe() const;  // "alice (127.0.0.1:5000, line)" for log records

    hub& hub_;
    const chat_options options_;
    logger& log_;

private:
    // Waits until the client sent something, holding no buffer meanwhile, then reads it into a
    // per-thread scratch buffer. The view is valid until the next suspension; empty at the end.
    asio::awaitable<std::string_view> receive_some();
    asio::awaitable<void> converse();
    asio::awaitable<void> write_loop();
    void finish_output();  // seal: the writer flushes, then closes the connection
    void handle_push(outbox::push_result result);

    outbox outbox_;
    asio::steady_timer wake_;  // the idle writer waits on it; cancel() wakes it
    std::string name_;
    bool entered_ = false;
    bool claimed_ = false;
};

}  // namespace netkit::chat
