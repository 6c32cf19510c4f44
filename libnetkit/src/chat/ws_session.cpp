#include <netkit/chat/ws_session.hpp>

#include <netkit/chat/chat_metrics.hpp>
#include <netkit/chat/client_message.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/server_message.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/framing/websocket.hpp>
#include <netkit/http/websocket_handshake.hpp>
#include <netkit/outbound.hpp>
#include <netkit/read_ready.hpp>
#include <netkit/tcp_session.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace netkit::chat {

namespace ws = framing::websocket;
using asio::as_tuple;
using asio::use_awaitable;
using clock = std::chrono::steady_clock;

namespace {

// Bytes of messages said as one burst, as for the TCP protocols.
constexpr std::size_t burst_limit = 64 * 1024;

struct ws_settings {
    chat_options chat;
    ws_options ws;
};

// One browser (or any WebSocket client) in the chat, read like a line client: the session waits
// for the socket holding no buffer, reads what arrived, and a socket-free decoder
// (framing/websocket.hpp) turns it into messages; every message one read held is said as one
// burst. Everything the client is sent, the hub's frames (the websocket protocol encodes each
// event once, shared by every browser) and the session's own (the 101 answer, pongs, pings, the
// close frame), goes through the connection's outbound (outbound.hpp): one queue orders them,
// and its limits and slow-consumer rule are the line protocol's. One small timer watches the
// login deadline, the idle connection (a ping at half the idle timeout, closed at the whole) and
// the closing handshake. Runs on the HTTP connection's strand, over the HTTP session's stream,
// and keeps that session alive: a handler of this session may end after the HTTP session's run().
class ws_session final : public participant,
                         public http::upgraded_connection,
                         public std::enable_shared_from_this<ws_session> {
public:
    ws_session(tcp_session& owner, stream& s, http::request_header request, std::string early, hub& room,
               std::shared_ptr<const ws_settings> settings, logger& log)
        : owner_(owner.shared_from_this()),
          settings_(std::move(settings)),
          options_(settings_->chat),
          ws_options_(settings_->ws),
          stream_(s),
          out_(owner, s,
               outbound_options{.limit = options_.max_queue,
                                .high_water = options_.high_water(),
                                .stall_timeout = options_.stall_timeout,
                                .buffers_sent = options_.metrics ? &options_.metrics->messages_out : nullptr,
                                .bytes_sent = options_.metrics ? &options_.metrics->bytes_out : nullptr},
               [this](outbound::drop why) { dropped(why); }),
          decoder_(options_.max_message),
          request_(std::make_unique<http::request_header>(std::move(request))),
          early_(std::move(early)),
          hub_(room),
          log_(log),
          timer_(s.get_executor()) {
        boost::system::error_code ec;
        remote_ = s.socket().remote_endpoint(ec);
    }

    asio::awaitable<void> run() override;
    void stop() override;

    const chat::protocol& protocol() const override { return websocket_protocol(); }
    bool deliver(shared_bytes frames) override { return !closing_to_room_.load() && out_.push(std::move(frames)); }
    void when_drained(std::function<void()> wake) override { out_.when_drained(std::move(wake)); }
    void renamed(std::string new_name, std::string why) override;

private:
    // The conversation, like the line protocol's: a name until a free one comes, then messages
    // until the client quits or goes.
    asio::awaitable<void> serve();
    // What one read brought: its says are said together, in order with everything else. False
    // once the client's close frame came.
    asio::awaitable<bool> take(std::string_view bytes);
    // One text message: a say joins the burst, anything else is answered after it.
    asio::awaitable<void> take_text(std::string_view text, std::vector<std::string>& burst, std::size_t& burst_bytes);
    asio::awaitable<void> say(std::vector<std::string>& burst, std::size_t& burst_bytes);
    asio::awaitable<std::optional<std::string>> join(std::string name);
    // The flood rule, after a message: waits until every recipient it `congested` has drained.
    asio::awaitable<void> keep_pace(std::vector<std::shared_ptr<participant>> congested);
    // The login deadline, the idle watch (ping, then close) and the closing handshake's deadline.
    asio::awaitable<void> watch();
    // What the socket holds (netkit::read_ready), counted.
    std::optional<std::string_view> read_ready();

    // A JSON object for this client only, as one frame.
    void send(std::string_view json) { out_.push(std::make_shared<const std::string>(text_frame(json))); }
    // Starts the closing handshake: the close frame queues behind what is already queued, the
    // room sends nothing more, and the connection ends when the client answers (or after the
    // handshake timeout).
    void close(std::uint16_t code, std::string_view reason = {});
    void leave_room();
    // The outbound closed the connection for the client's pace: logged and counted.
    void dropped(outbound::drop why);
    std::string describe() const;

    // The HTTP session whose stream this uses: alive while this session or a handler of it is.
    const std::shared_ptr<tcp_session> owner_;
    const std::shared_ptr<const ws_settings> settings_;
    const chat_options& options_;
    const ws_options& ws_options_;
    stream& stream_;
    outbound out_;
    ws::client_frame_decoder decoder_;
    std::unique_ptr<http::request_header> request_;  // the upgrade request, until it is answered
    std::string early_;  // frames that came with the request (a client that did not wait for the 101)
    hub& hub_;
    logger& log_;
    tcp::endpoint remote_;
    std::atomic<bool> closing_to_room_{false};  // the close frame is queued: the hub's frames are not

    // Strand only. The pacing timer is made when first needed: an idle client holds none.
    asio::steady_timer timer_;  // watch()'s
    std::optional<asio::steady_timer> paced_;
    const clock::time_point opened_ = clock::now();
    clock::time_point heard_ = opened_;  // the last bytes from the client
    clock::time_point close_deadline_;
    std::string name_;
    bool open_ = false;      // the 101 answer is queued
    bool claimed_ = false;
    bool entered_ = false;
    bool pinged_ = false;    // since heard_
    bool stopping_ = false;
    bool closing_ = false;   // our close frame is queued (or the client's was answered)
    bool broken_ = false;    // the client broke the framing: its bytes are discarded until it closes
    bool shut_ = false;      // broken_, and our side of the connection is shut after the close frame
    bool done_ = false;      // serve() has returned
};

std::string ws_session::describe() const {
    const std::string who = name_.empty() ? std::string("(no name yet)") : name_;
    return who + " (" + to_string(remote_) + ", websocket)";
}

asio::awaitable<void> ws_session::run() {
    try {
        co_await serve();
    } catch (const std::exception& e) {
        // Never leave a dead member behind: whatever failed, the session still leaves the hub.
        log_.warn("session ", describe(), " failed: ", e.what());
    }
    done_ = true;
    timer_.cancel();
    leave_room();
    if (!co_await out_.drain(options_.flush_timeout))
        log_.info("closing ", describe(), ": queued output not read in time");
}

asio::awaitable<void> ws_session::serve() {
    boost::system::error_code ignored;
    stream_.socket().non_blocking(true, ignored);  // read_ready() and the outbound's writer never block the thread
    auto answer = http::answer_websocket_upgrade(*request_);
    request_.reset();
    out_.push(std::make_shared<const std::string>(std::move(answer.bytes)));
    if (!answer.accepted) co_return;
    open_ = true;
    if (stopping_) stop();  // stopped before the handshake: the goodbye follows the 101 answer
    asio::co_spawn(stream_.get_executor(), [self = shared_from_this()] { return self->watch(); }, asio::detached);
    if (!early_.empty()) {
        const std::string early = std::exchange(early_, {});
        if (!co_await take(early)) co_return;
    }
    for (;;) {
        // Waits for the client holding no buffer, then reads what arrived.
        auto [ec] = co_await stream_.async_wait_readable(as_tuple(use_awaitable));
        if (ec) co_return;
        const auto bytes = read_ready();
        if (!bytes) co_return;  // gone without a close frame
        if (bytes->empty()) continue;
        heard_ = clock::now();
        pinged_ = false;
        if (broken_) {
            // Discarded (the framing is lost), the client's close answer included. Once our close
            // frame is out, the end of our side follows it: the client then closes, and nothing
            // it sent is left unread to turn our close into a reset.
            if (!shut_ && out_.pending_bytes() == 0) {
                shut_ = true;
                stream_.shutdown_send_now();
            }
            continue;
        }
        if (!co_await take(*bytes)) co_return;
    }
}

asio::awaitable<bool> ws_session::take(std::string_view bytes) {
    std::vector<std::string> burst;
    std::size_t burst_bytes = 0;
    std::optional<ws::error> broken;
    try {
        decoder_.feed(bytes);
        while (auto message = decoder_.next()) {
            switch (message->kind) {
            case ws::opcode::text:
                co_await take_text(message->payload, burst, burst_bytes);
                break;
            case ws::opcode::binary:
                co_await say(burst, burst_bytes);
                if (!closing_) send(error_json("only text frames are read here"));
                break;
            case ws::opcode::ping:
                co_await say(burst, burst_bytes);
                if (!closing_) out_.push(std::make_shared<const std::string>(ws::frame(ws::opcode::pong, message->payload)));
                break;
            case ws::opcode::pong:
                break;
            case ws::opcode::close:
                co_await say(burst, burst_bytes);
                // The client's close, or its answer to ours: either way the connection ends here
                // (the server closes TCP first, RFC 6455 7.1.1).
                if (!closing_) {
                    closing_ = true;
                    closing_to_room_ = true;
                    const auto code = message->close_code;
                    out_.push(std::make_shared<const std::string>(
                        code == 0 ? ws::frame(ws::opcode::close, {}) : ws::close_frame(code)));
                }
                co_return false;
            default:
                break;
            }
        }
    } catch (const ws::error& e) {
        broken = e;
    }
    co_await say(burst, burst_bytes);  // what came before a bad frame still counts
    if (broken) {
        log_.info("closing ", describe(), ": ", broken->what());
        broken_ = true;
        close(broken->close_code, broken->what());
    }
    co_return true;
}

asio::awaitable<void> ws_session::take_text(std::string_view text, std::vector<std::string>& burst,
                                            std::size_t& burst_bytes) {
    if (closing_) co_return;  // after our close frame only the client's answer counts
    if (!is_valid_utf8(text)) {
        log_.info("closing ", describe(), ": a text message that is not valid UTF-8");
        co_await say(burst, burst_bytes);
        close(ws::close_invalid_payload, "a text message that is not valid UTF-8");
        co_return;
    }
    auto parsed = parse_client_message(text);
    if (parsed.message && parsed.message->type == client_message::kind::say && entered_) {
        // An empty text says nothing.
        if (!parsed.message->value.empty()) {
            burst_bytes += parsed.message->value.size();
            burst.push_back(std::move(parsed.message->value));
            if (burst_bytes >= burst_limit) co_await say(burst, burst_bytes);
        }
        co_return;
    }
    co_await say(burst, burst_bytes);  // what came before is said before this is answered
    if (!parsed.message) {
        send(error_json(parsed.error));
        co_return;
    }
    auto& message = *parsed.message;
    switch (message.type) {
    case client_message::kind::quit:
        close(ws::close_normal);
        break;
    case client_message::kind::join:
        if (entered_) send(error_json("already joined as " + name_));
        else if (auto why = co_await join(std::move(message.value))) send(error_json(*why));
        break;
    case client_message::kind::say:
        send(error_json("join first"));
        break;
    }
}

asio::awaitable<void> ws_session::say(std::vector<std::string>& burst, std::size_t& burst_bytes) {
    if (burst.empty()) co_return;
    if (log_.enabled(log_level::debug))
        for (const auto& text : burst) log_.debug(name_, ": ", text);
    if (auto* m = options_.metrics) m->messages_in.add(burst.size());
    auto congested = burst.size() == 1 ? hub_.say(*this, name_, burst.front())
                                       : hub_.say(*this, name_, std::span<const std::string>(burst));
    burst.clear();
    burst_bytes = 0;
    co_await keep_pace(std::move(congested));
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
    if (closing_) co_return std::nullopt;  // stopped while claiming: left at once in run()
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

asio::awaitable<void> ws_session::keep_pace(std::vector<std::shared_ptr<participant>> congested) {
    if (congested.empty()) co_return;
    // This client is not read until the room keeps up, for at most stall_timeout: by then a
    // recipient that stopped reading has been dropped.
    const auto deadline = clock::now() + options_.stall_timeout;
    std::weak_ptr<ws_session> weak = shared_from_this();
    if (!paced_) paced_.emplace(stream_.get_executor());
    for (const auto& recipient : congested) {
        auto woken = std::make_shared<std::atomic<bool>>(false);
        paced_->expires_at(deadline);
        recipient->when_drained([weak, woken] {
            if (auto self = weak.lock())
                asio::post(self->stream_.get_executor(), [self, woken] {
                    woken->store(true);
                    self->paced_->cancel();
                });
        });
        while (!woken->load() && !stopping_ && clock::now() < deadline)
            co_await paced_->async_wait(as_tuple(use_awaitable));
        if (stopping_ || clock::now() >= deadline) co_return;
    }
}

asio::awaitable<void> ws_session::watch() {
    const auto login_deadline = opened_ + options_.login_timeout;
    const auto idle = ws_options_.idle_timeout;
    while (!done_) {
        const auto now = clock::now();
        clock::time_point next;
        if (closing_) {
            if (now >= close_deadline_) {
                log_.info("closing ", describe(), ": no answer to the close frame within ",
                          std::chrono::duration<double>(ws_options_.handshake_timeout).count(), " s");
                out_.close();  // ends the read, so serve()
                co_return;
            }
            next = close_deadline_;
        } else if (!claimed_ && now >= login_deadline) {
            const auto seconds = std::chrono::duration<double>(options_.login_timeout).count();
            log_.info("closing ", describe(), ": no name given within ", seconds, " s");
            std::ostringstream why;
            why << "no name given within " << seconds << " s; closing the connection";
            send(error_json(why.str()));
            close(ws::close_policy);
            continue;
        } else if (now >= heard_ + idle) {
            // A vanished browser answers no ping.
            log_.info("closing ", describe(), ": nothing heard for ", std::chrono::duration<double>(idle).count(), " s");
            out_.close();
            co_return;
        } else {
            if (!pinged_ && now >= heard_ + idle / 2) {
                out_.push(std::make_shared<const std::string>(ws::frame(ws::opcode::ping, {})));
                pinged_ = true;
            }
            next = pinged_ ? heard_ + idle : heard_ + idle / 2;
            if (!claimed_) next = std::min(next, login_deadline);
        }
        timer_.expires_at(next);
        co_await timer_.async_wait(as_tuple(use_awaitable));  // close() wakes it early
    }
}

std::optional<std::string_view> ws_session::read_ready() {
    auto bytes = netkit::read_ready(stream_);
    if (auto* m = options_.metrics; m && bytes) m->bytes_in.add(bytes->size());
    return bytes;
}

void ws_session::stop() {
    stopping_ = true;
    if (paced_) paced_->cancel();
    if (!open_ || closing_) return;  // serve() says goodbye once the 101 answer is queued
    send(end_json());
    close(ws::close_going_away);
}

void ws_session::renamed(std::string new_name, std::string why) {
    if (!closing_to_room_.load()) out_.push(std::make_shared<const std::string>(text_frame(notice_json(why))));
    asio::post(stream_.get_executor(), [self = shared_from_this(), n = std::move(new_name)]() mutable {
        self->name_ = std::move(n);
    });
}

void ws_session::close(std::uint16_t code, std::string_view reason) {
    if (closing_ || done_) return;
    closing_ = true;
    closing_to_room_ = true;
    out_.push(std::make_shared<const std::string>(ws::close_frame(code, reason)));
    close_deadline_ = clock::now() + ws_options_.handshake_timeout;
    timer_.cancel();  // watch() now waits for the close deadline
    leave_room();     // the others see it go now, not when the client answers
}

void ws_session::leave_room() {
    if (claimed_) hub_.leave(*this, name_);
    if (entered_) log_.info(describe(), " left");
    if (auto* m = options_.metrics) {
        if (claimed_) m->names_claimed.sub();
        if (entered_) m->members.sub();
    }
    claimed_ = false;
    entered_ = false;
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

    std::shared_ptr<http::upgraded_connection> take(tcp_session& owner, stream& s, http::request_header request,
                                                    std::string early) override {
        return std::make_shared<ws_session>(owner, s, std::move(request), std::move(early), room_, settings_, log_);
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
