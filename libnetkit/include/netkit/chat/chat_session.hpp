// One chat client over TCP, whatever its protocol: the conversation of lesson 003/004 (a name, then
// messages until the end), with the protocol's framing and texts taken from its description
// (protocol.hpp). Around it: the outbound pipeline (outbound.hpp: a bounded queue whose writer
// exists only while there is output), reading without holding a buffer while idle, the flood
// rule, and the goodbye on shutdown.
#pragma once

#include <netkit/chat/hub.hpp>
#include <netkit/chat/options.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/chat/protocol.hpp>
#include <netkit/framing/error.hpp>
#include <netkit/log.hpp>
#include <netkit/outbound.hpp>
#include <netkit/tcp_server.hpp>
#include <netkit/tcp_session.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netkit::chat {

class chat_session final : public tcp_session, public participant {
public:
    // `speaks` must outlive the session.
    chat_session(stream s, hub& room, const chat_options& options, logger& log, const chat::protocol& speaks);

    // Runs serve(), leaves the hub, then drains the outbound (at most flush_timeout).
    asio::awaitable<void> run() final;
    bool deliver(shared_bytes bytes) final;
    void when_drained(std::function<void()> wake) final;
    void renamed(std::string new_name, std::string why) final;
    const chat::protocol& protocol() const final { return protocol_; }

private:
    // The straight-line conversation: read the name, then messages until the end.
    asio::awaitable<void> serve();
    // The text as a notice of this client's protocol.
    std::string notice(std::string_view text) const { return protocol_.notice(text); }

    // Reserves `name`, welcomes the client and enters the hub. Returns why the name was refused.
    asio::awaitable<std::optional<std::string>> join(std::string name);
    // A message from this client to the chat. Returns once every recipient it congested has
    // drained below its high-water mark, or after stall_timeout: until then this client is not
    // read, so a fast sender slows down to the pace of its slowest reader (the flood rule).
    asio::awaitable<void> say(std::string_view text);
    // Messages that arrived together (one read), said as one burst: see hub::say.
    asio::awaitable<void> say(std::span<const std::string> texts);
    // Queues bytes for this client only.
    void send(std::string bytes);

    // The next message from `decoder` (valid until the next read); at the end of the stream, a
    // last one without its delimiter if the framing has one, else nullopt. Throws framing::error
    // when the client breaks the framing.
    asio::awaitable<std::optional<std::string_view>> read_message(message_decoder& decoder);
    bool is_quit(std::string_view text) const { return !protocol_.quit().empty() && text == protocol_.quit(); }

    // Graceful stop: the goodbye, then no more output; the reader sees the end of the stream.
    void on_stop_requested() override;

    std::string describe() const;  // "alice (127.0.0.1:5000, line)" for log records

    hub& hub_;
    const chat_options options_;
    logger& log_;
    const chat::protocol& protocol_;

    // What the socket holds (netkit::read_ready: the thread's buffer, valid until the next
    // suspension), counted.
    std::optional<std::string_view> read_ready();
    // Closes a connection that has not joined within login_timeout, telling it why first.
    asio::awaitable<void> login_deadline();
    // The outbound closed the connection for the client's pace: logged and counted.
    void dropped(outbound::drop why);
    // The flood rule, after a message: waits until every recipient it `congested` has drained.
    asio::awaitable<void> keep_pace(std::vector<std::shared_ptr<participant>> congested);

    outbound out_;
    asio::steady_timer login_timer_;  // cancelled once the client joins (or the session ends)
    asio::steady_timer paced_;        // say() waits on it for congested recipients; cancel() wakes it
    bool stopping_ = false;  // graceful stop: say() waits for nobody any more (strand only)
    std::string name_;
    bool entered_ = false;
    bool claimed_ = false;
};

// For tcp_server: one chat_session speaking `speaks` per connection, all in `room`. `speaks` and
// `room` must outlive the sessions.
tcp_server::session_factory session_factory(hub& room, chat_options options, logger& log, const chat::protocol& speaks);

}  // namespace netkit::chat
