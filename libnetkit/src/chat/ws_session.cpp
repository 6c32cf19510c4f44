#include <netkit/chat/ws_session.hpp>

#include <netkit/chat/chat_metrics.hpp>
#include <netkit/chat/client_message.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/server_message.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/http/outbound_stream.hpp>
#include <netkit/outbound.hpp>
#include <netkit/tcp_session.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace netkit::chat {

namespace websocket = boost::beast::websocket;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

struct ws_settings {
    chat_options chat;
    ws_options ws;
};

// One browser (or any WebSocket client) in the chat. Beast reads its frames (unmasking,
// fragments, pings, the size limit, the idle timeout) and does the opening and closing handshakes;
// everything the client is sent goes through the connection's outbound (outbound.hpp), as for a
// line client: the hub's frames (the websocket protocol encodes each event once, as a whole frame,
// shared by every browser) and Beast's own (its 101 answer, pongs, pings, the close frame), which
// reach the outbound through outbound_stream. So one queue orders them all, messages that arrive
// together leave in one send, and the queue's limits and slow-consumer rule are the line
// protocol's. Runs on the HTTP connection's strand, over the HTTP session's stream, and keeps that
// session alive: a handler of this session may end after the HTTP session's run().
class ws_session final : public participant,
                         public http::upgraded_connection,
                         public std::enable_shared_from_this<ws_session> {
public:
    ws_session(tcp_session& owner, stream& s, http::request_header request, hub& room,
               std::shared_ptr<const ws_settings> settings, logger& log)
        : owner_(owner.shared_from_this()),
          settings_(std::move(settings)),
          options_(settings_->chat),
          ws_options_(settings_->ws),
          out_(owner, s,
               outbound_options{.limit = options_.max_queue,
                                .high_water = options_.high_water(),
                                .stall_timeout = options_.stall_timeout,
                                .buffers_sent = options_.metrics ? &options_.metrics->messages_out : nullptr,
                                .bytes_sent = options_.metrics ? &options_.metrics->bytes_out : nullptr},
               [this](outbound::drop why) { dropped(why); }),
          ws_(s, out_),
          request_(std::make_unique<http::request_header>(std::move(request))),
          hub_(room),
          log_(log),
          login_timer_(s.get_executor()) {
        boost::system::error_code ec;
        remote_ = s.socket().remote_endpoint(ec);
    }

    asio::awaitable<void> run() override;
    void stop() override;

    const chat::protocol& protocol() const override { return websocket_protocol(); }
    bool deliver(shared_bytes frames) override { return out_.push(std::move(frames)); }
    void when_drained(std::function<void()> wake) override { out_.when_drained(std::move(wake)); }
    void renamed(std::string new_name, std::string why) override;

private:
    // The conversation, like the line protocol's: a name until a free one comes, then messages
    // until the client quits or goes.
    asio::awaitable<void> serve();
    asio::awaitable<std::optional<std::string>> join(std::string name);
    asio::awaitable<void> say(const std::string& text);
    // The flood rule, after a message: waits until every recipient it `congested` has drained.
    asio::awaitable<void> keep_pace(std::vector<std::shared_ptr<participant>> congested);
    asio::awaitable<void> login_deadline();
    // A JSON object for this client only, as one frame.
    void send(std::string_view json) { out_.push(std::make_shared<const std::string>(text_frame(json))); }
    // Starts Beast's closing handshake (the close frame queues behind what is already queued).
    void close(websocket::close_code code);
    // The outbound closed the connection for the client's pace: logged and counted.
    void dropped(outbound::drop why);
    std::string describe() const;

    // The HTTP session whose stream this uses: alive while this session or a handler of it is.
    const std::shared_ptr<tcp_session> owner_;
    const std::shared_ptr<const ws_settings> settings_;
    const chat_options& options_;
    const ws_options& ws_options_;
    outbound out_;
    websocket::stream<outbound_stream, false> ws_;  // no permessage-deflate: no per-connection zlib state
    std::unique_ptr<http::request_header> request_;  // the upgrade request, until the handshake
    hub& hub_;
    logger& log_;
    tcp::endpoint remote_;

    // Strand only. The pacing timer is made when first needed: an idle client holds none.
    asio::steady_timer login_timer_;
    std::optional<asio::steady_timer> paced_;
    std::string name_;
    bool claimed_ = false;
    bool entered_ = false;
    bool stopping_ = false;
    bool closing_ = false;
};

std::string ws_session::describe() const {
    const std::string who = name_.empty() ? std::string("(no name yet)") : name_;
    return who + " (" + to_string(remote_) + ", websocket)";
}

asio::awaitable<void> ws_session::run() {
    auto self = shared_from_this();
    asio::co_spawn(ws_.get_executor(), [self] { return self->login_deadline(); }, asio::detached);
    try {
        co_await serve();
    } catch (const std::exception& e) {
        // Never leave a dead member behind: whatever failed, the session still leaves the hub.
        log_.warn("session ", describe(), " failed: ", e.what());
    }
    login_timer_.cancel();
    if (claimed_) hub_.leave(*this, name_);
    if (entered_) log_.info(describe(), " left");
    if (auto* m = options_.metrics) {
        if (claimed_) m->names_claimed.sub();
        if (entered_) m->members.sub();
    }
    if (ws_.is_open() && !closing_) {
        // The client quit (or broke a rule Beast does not close for): the closing handshake, 1000.
        closing_ = true;
        co_await ws_.async_close(websocket::close_code::normal, as_tuple(use_awaitable));
    }
    if (!co_await out_.drain(options_.flush_timeout))
        log_.info("closing ", describe(), ": queued output not read in time");
}

asio::awaitable<void> ws_session::serve() {
    ws_.set_option(websocket::stream_base::timeout{ws_options_.handshake_timeout, ws_options_.idle_timeout, true});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(boost::beast::http::field::server, "netkit"); }));
    ws_.read_message_max(options_.max_message);  // a longer message: Beast closes with 1009
    ws_.auto_fragment(false);                     // one text, one frame
    {
        auto [ec] = co_await ws_.async_accept(*request_, as_tuple(use_awaitable));
        request_.reset();
        if (ec) co_return;
    }
    for (;;) {
        // The next text frame. A buffer of its own per message, and while idle next to none: the
        // wait for the next message takes one byte of it (async_read would reserve 1.5 KiB up
        // front), the rest of the message is read once it is coming. Pings and pongs are answered
        // inside both reads. (Read here, not in a coroutine of its own: one frame less per client.)
        boost::beast::flat_buffer buffer;
        auto [ec, n] = co_await ws_.async_read_some(buffer, 1, as_tuple(use_awaitable));
        if (!ec && !ws_.is_message_done()) {
            auto [rest_ec, rest] = co_await ws_.async_read(buffer, as_tuple(use_awaitable));
            ec = rest_ec;
            n += rest;
        }
        if (ec) {
            if (ec == websocket::error::message_too_big)
                log_.info("closing ", describe(), ": a message longer than ", options_.max_message, " bytes");
            co_return;
        }
        if (auto* m = options_.metrics) m->bytes_in.add(n);
        if (!ws_.got_text()) {
            send(error_json("only text frames are read here"));
            continue;
        }
        const auto& bytes = buffer.data();
        auto parsed = parse_client_message(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
        if (!parsed.message) {
            send(error_json(parsed.error));
            continue;
        }
        auto& message = *parsed.message;
        switch (message.type) {
        case client_message::kind::quit:
            co_return;
        case client_message::kind::join:
            if (entered_) send(error_json("already joined as " + name_));
            else if (auto why = co_await join(std::move(message.value))) send(error_json(*why));
            break;
        case client_message::kind::say:
            if (!entered_) send(error_json("join first"));
            else if (!message.value.empty()) co_await say(message.value);  // an empty text says nothing
            break;
        }
    }
}

asio::awaitable<std::optional<std::string>> ws_session::join(std::string name) {
    bool checked_here_only = false;
    if (auto why = co_await hub_.claim(name, &checked_here_only)) {
        log_.info("name refused for ", to_string(remote_), ": ", *why);
        co_return why;
    }
    name_ = std::move(name);
    claimed_ = true;
    if (auto* m = options_.metrics) m->names_claimed.add();
    login_timer_.cancel();
    // A big room's welcome lists at most announce_limit names (the newcomer's first), so that a
    // join costs O(limit), not O(room); `count` still says how many are here.
    const std::size_t limit = std::max<std::size_t>(hub_.announce_limit(), 1);
    const std::size_t count = hub_.size() + 1;  // a moment's count, as for the other protocols
    std::vector<std::string> members{name_};
    for (auto& other : hub_.member_names(limit - 1)) members.push_back(std::move(other));
    send(welcome_json(name_, members, std::max(count, members.size())));
    if (checked_here_only) send(notice_json(websocket_protocol().checked_here_only()));
    hub_.enter(shared_from_this(), name_);
    entered_ = true;
    if (auto* m = options_.metrics) m->members.add();
    log_.info(describe(), " joined");
    co_return std::nullopt;
}

asio::awaitable<void> ws_session::say(const std::string& text) {
    if (log_.enabled(log_level::debug)) log_.debug(name_, ": ", text);
    if (auto* m = options_.metrics) m->messages_in.add();
    co_await keep_pace(hub_.say(*this, name_, text));
}

asio::awaitable<void> ws_session::keep_pace(std::vector<std::shared_ptr<participant>> congested) {
    // This client is not read until the room keeps up, for at most stall_timeout: by then a
    // recipient that stopped reading has been dropped.
    const auto deadline = std::chrono::steady_clock::now() + options_.stall_timeout;
    std::weak_ptr<ws_session> weak = shared_from_this();
    if (!paced_) paced_.emplace(ws_.get_executor());
    for (const auto& recipient : congested) {
        auto woken = std::make_shared<std::atomic<bool>>(false);
        paced_->expires_at(deadline);
        recipient->when_drained([weak, woken] {
            if (auto self = weak.lock())
                asio::post(self->ws_.get_executor(), [self, woken] {
                    woken->store(true);
                    self->paced_->cancel();
                });
        });
        while (!woken->load() && !stopping_ && std::chrono::steady_clock::now() < deadline)
            co_await paced_->async_wait(as_tuple(use_awaitable));
        if (stopping_ || std::chrono::steady_clock::now() >= deadline) co_return;
    }
}

asio::awaitable<void> ws_session::login_deadline() {
    login_timer_.expires_after(options_.login_timeout);
    auto [ec] = co_await login_timer_.async_wait(as_tuple(use_awaitable));
    if (ec || claimed_) co_return;
    const auto seconds = std::chrono::duration<double>(options_.login_timeout).count();
    log_.info("closing ", describe(), ": no name given within ", seconds, " s");
    std::ostringstream why;
    why << "no name given within " << seconds << " s; closing the connection";
    send(error_json(why.str()));
    close(websocket::close_code::policy_error);
}

void ws_session::stop() {
    stopping_ = true;
    if (paced_) paced_->cancel();
    send(end_json());
    close(websocket::close_code::going_away);
}

void ws_session::renamed(std::string new_name, std::string why) {
    send(notice_json(why));
    asio::post(ws_.get_executor(), [self = shared_from_this(), n = std::move(new_name)]() mutable {
        self->name_ = std::move(n);
    });
}

void ws_session::close(websocket::close_code code) {
    if (closing_ || !ws_.is_open()) {
        out_.seal();  // no WebSocket yet (or any more): what is queued goes out, then the connection closes
        return;
    }
    closing_ = true;
    // Beast queues the close frame, reads until the client's answers it (within the handshake
    // timeout) and then ends the connection (teardown seals the outbound).
    asio::co_spawn(ws_.get_executor(),
                   [self = shared_from_this(), code]() -> asio::awaitable<void> {
                       co_await self->ws_.async_close(code, as_tuple(use_awaitable));
                   },
                   asio::detached);
}

void ws_session::dropped(outbound::drop why) {
    if (why == outbound::drop::overflow)
        log_.warn("slow consumer ", describe(), ": more than ", options_.max_queue,
                  " bytes waiting to be sent; disconnecting it");
    else
        log_.warn("slow consumer ", describe(), ": unread output and none sent for ",
                  std::chrono::duration<double>(options_.stall_timeout).count(), " s; disconnecting it");
    if (auto* m = options_.metrics) m->slow_consumers.add();
}

class endpoint final : public http::upgrade_target {
public:
    endpoint(hub& room, chat_options options, ws_options ws, logger& log)
        : room_(room),
          settings_(std::make_shared<const ws_settings>(ws_settings{options, ws})),
          log_(log) {}

    std::shared_ptr<http::upgraded_connection> take(tcp_session& owner, stream& s,
                                                    http::request_header request) override {
        return std::make_shared<ws_session>(owner, s, std::move(request), room_, settings_, log_);
    }

private:
    hub& room_;
    const std::shared_ptr<const ws_settings> settings_;
    logger& log_;
};

}  // namespace

std::shared_ptr<http::upgrade_target> websocket_endpoint(hub& room, chat_options options, ws_options ws, logger& log) {
    return std::make_shared<endpoint>(room, options, ws, log);
}

}  // namespace netkit::chat
