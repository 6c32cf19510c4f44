#include <netkit/chat/ws_session.hpp>

#include <netkit/chat/chat_metrics.hpp>
#include <netkit/chat/client_message.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/server_message.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/outbound.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace netkit::chat {

namespace websocket = boost::beast::websocket;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

// What every session of one endpoint shares (a session holds it, not a copy of it: an idle
// client should cost little).
struct ws_settings {
    chat_options chat;
    ws_options ws;
    outbound_options queue;  // the outgoing queue's policy, from `chat`
};

// One browser (or any WebSocket client) in the chat: reads JSON frames, writes each queued text
// as one frame. Runs on the HTTP connection's strand, over the HTTP session's socket (which it
// keeps alive: a writer or timer of this session may end after the HTTP session's run()).
//
// Its outgoing queue follows outbound.hpp's policy with outbound_options (limit, high water,
// stall timeout, when_drained) but has a writer of its own: outbound sends raw bytes with
// non-blocking sends on a tcp::socket, and a WebSocket frame must go through Beast's async_write
// (frame header, a write Beast knows is under way so its pings and close wait for it), so the
// writer cannot be shared; only the options and the drop reasons are.
class ws_session final : public participant,
                         public http::upgraded_connection,
                         public std::enable_shared_from_this<ws_session> {
public:
    ws_session(tcp::socket& socket, std::shared_ptr<void> owner, http::request_header request, hub& room,
               std::shared_ptr<const ws_settings> settings, logger& log)
        : owner_(std::move(owner)),
          ws_(socket),
          request_(std::make_unique<http::request_header>(std::move(request))),
          hub_(room),
          settings_(std::move(settings)),
          options_(settings_->chat),
          ws_options_(settings_->ws),
          queue_options_(settings_->queue),
          log_(log),
          login_timer_(socket.get_executor()) {
        boost::system::error_code ec;
        remote_ = socket.remote_endpoint(ec);
    }

    asio::awaitable<void> run() override;
    void stop() override;

    const chat::protocol& protocol() const override { return websocket_protocol(); }
    bool deliver(shared_bytes text) override;
    void when_drained(std::function<void()> wake) override;
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
    void send(std::string text) { deliver(std::make_shared<const std::string>(std::move(text))); }
    std::string describe() const;

    // --- the outgoing queue
    // No more texts; what is queued goes out, then a close frame with `code`.
    void seal(websocket::close_code code);
    // Seals (1000), waits at most flush_timeout for the queue and the close frame, then closes.
    asio::awaitable<void> drain();
    void start_writer();
    // On the strand while there is something to send: each text one frame, then the close frame
    // once sealed.
    asio::awaitable<void> write_queued();
    asio::awaitable<void> watch_stall();
    bool congested() const;
    void give_up(outbound::drop why);  // the client's pace: logged, counted, closed
    void close_socket();

    // The HTTP session whose socket ws_ uses: alive while this session or a handler of it is.
    const std::shared_ptr<void> owner_;
    websocket::stream<tcp::socket&, false> ws_;  // no permessage-deflate: no per-connection zlib state
    std::unique_ptr<http::request_header> request_;  // the upgrade request, until the handshake
    hub& hub_;
    const std::shared_ptr<const ws_settings> settings_;
    const chat_options& options_;
    const ws_options& ws_options_;
    const outbound_options& queue_options_;
    logger& log_;
    tcp::endpoint remote_;

    // Strand only. Timers other than the login's are made when first needed: an idle client
    // holds none of them.
    asio::steady_timer login_timer_;
    std::optional<asio::steady_timer> paced_;
    std::string name_;
    bool claimed_ = false;
    bool entered_ = false;
    bool stopping_ = false;

    mutable std::mutex mutex_;
    std::vector<shared_bytes> queue_;
    std::vector<std::function<void()>> waiters_;
    std::size_t bytes_ = 0;  // queued plus being written
    bool writing_ = false;   // a writer runs
    bool sealed_ = false;
    bool closed_ = false;
    websocket::close_code close_code_ = websocket::close_code::normal;

    // Strand only.
    std::optional<asio::steady_timer> drained_;  // drain() waits on it; the writer's end cancels it
    std::optional<asio::steady_timer> stall_timer_;
    std::chrono::steady_clock::time_point progress_at_;
    std::atomic<bool> watching_stall_{false};
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
    co_await drain();
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
    seal(websocket::close_code::policy_error);
}

void ws_session::stop() {
    stopping_ = true;
    if (paced_) paced_->cancel();
    send(end_json());
    seal(websocket::close_code::going_away);
}

void ws_session::renamed(std::string new_name, std::string why) {
    send(notice_json(why));
    asio::post(ws_.get_executor(), [self = shared_from_this(), n = std::move(new_name)]() mutable {
        self->name_ = std::move(n);
    });
}

// --- the outgoing queue

bool ws_session::deliver(shared_bytes text) {
    std::vector<std::function<void()>> wake;
    bool start = false, overflow = false, congested = false;
    {
        std::lock_guard lock(mutex_);
        if (sealed_ || closed_) return false;
        if (bytes_ + text->size() > queue_options_.limit) {
            closed_ = true;
            std::vector<shared_bytes>().swap(queue_);
            wake.swap(waiters_);
            overflow = true;
        } else {
            bytes_ += text->size();
            queue_.push_back(std::move(text));
            congested = bytes_ > queue_options_.high_water;
            start = !writing_;
            writing_ = true;
        }
    }
    for (auto& w : wake) w();
    if (start) start_writer();
    if (overflow) asio::post(ws_.get_executor(), [self = shared_from_this()] { self->give_up(outbound::drop::overflow); });
    if (congested && !watching_stall_.exchange(true))
        asio::co_spawn(ws_.get_executor(), [self = shared_from_this()] { return self->watch_stall(); }, asio::detached);
    return congested;
}

void ws_session::when_drained(std::function<void()> wake) {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && bytes_ > queue_options_.high_water) {
            waiters_.push_back(std::move(wake));
            return;
        }
    }
    wake();
}

bool ws_session::congested() const {
    std::lock_guard lock(mutex_);
    return !closed_ && bytes_ > queue_options_.high_water;
}

void ws_session::seal(websocket::close_code code) {
    bool start = false;
    {
        std::lock_guard lock(mutex_);
        if (sealed_ || closed_) return;
        sealed_ = true;
        close_code_ = code;
        start = !writing_;
        writing_ = true;  // even with nothing queued, the writer sends the close frame
    }
    if (start) start_writer();
}

asio::awaitable<void> ws_session::drain() {
    seal(websocket::close_code::normal);
    bool writing = false;
    {
        std::lock_guard lock(mutex_);
        writing = writing_;
    }
    if (writing) {
        // The writer runs on this strand too, so it cannot end between the look and the wait.
        drained_.emplace(ws_.get_executor(), options_.flush_timeout);
        auto [ec] = co_await drained_->async_wait(as_tuple(use_awaitable));
        if (!ec) log_.info("closing ", describe(), ": queued output not read in time");
    }
    close_socket();
}

void ws_session::start_writer() {
    asio::co_spawn(ws_.get_executor(), [self = shared_from_this()] { return self->write_queued(); }, asio::detached);
}

asio::awaitable<void> ws_session::write_queued() {
    std::vector<shared_bytes> batch;
    bool close_now = false;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (closed_ || queue_.empty()) {
                close_now = sealed_ && !closed_;
                if (!close_now) writing_ = false;
                if (queue_.capacity() > outbound::idle_entries) std::vector<shared_bytes>().swap(queue_);
                break;
            }
            queue_.swap(batch);
        }
        for (const auto& text : batch) {
            auto [ec, n] = co_await ws_.async_write(asio::buffer(*text), as_tuple(use_awaitable));
            std::vector<std::function<void()>> wake;
            {
                std::lock_guard lock(mutex_);
                if (ec) closed_ = true;  // the connection failed: nothing more goes out
                bytes_ -= std::min(bytes_, text->size());
                if (closed_ || bytes_ <= queue_options_.high_water) wake.swap(waiters_);
            }
            for (auto& w : wake) w();
            if (ec) break;
            progress_at_ = std::chrono::steady_clock::now();
            if (auto* m = options_.metrics) {
                m->messages_out.add();
                m->bytes_out.add(text->size());
            }
        }
        batch.clear();
    }
    if (close_now) {
        if (ws_.is_open()) co_await ws_.async_close(close_code_, as_tuple(use_awaitable));
        std::lock_guard lock(mutex_);
        closed_ = true;
        writing_ = false;
    }
    if (drained_) drained_->cancel();
}

asio::awaitable<void> ws_session::watch_stall() {
    progress_at_ = std::chrono::steady_clock::now();  // the clock starts when the queue crosses the mark
    if (!stall_timer_) stall_timer_.emplace(ws_.get_executor());
    for (;;) {
        while (congested()) {
            const auto stalled_since = progress_at_;
            stall_timer_->expires_at(stalled_since + options_.stall_timeout);
            auto [ec] = co_await stall_timer_->async_wait(as_tuple(use_awaitable));
            if (ec) break;
            if (progress_at_ == stalled_since && congested()) {
                give_up(outbound::drop::stalled);
                break;
            }
        }
        watching_stall_ = false;
        // A push may have crossed the mark again after the loop's last look, and seen us running.
        if (!congested() || watching_stall_.exchange(true)) co_return;
    }
}

void ws_session::give_up(outbound::drop why) {
    if (why == outbound::drop::overflow)
        log_.warn("slow consumer ", describe(), ": more than ", options_.max_queue,
                  " bytes waiting to be sent; disconnecting it");
    else
        log_.warn("slow consumer ", describe(), ": unread output and none sent for ",
                  std::chrono::duration<double>(options_.stall_timeout).count(), " s; disconnecting it");
    if (auto* m = options_.metrics) m->slow_consumers.add();
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        std::vector<shared_bytes>().swap(queue_);
        wake.swap(waiters_);
    }
    for (auto& w : wake) w();
    close_socket();
}

void ws_session::close_socket() {
    if (stall_timer_) stall_timer_->cancel();
    boost::system::error_code ignored;
    auto& socket = boost::beast::get_lowest_layer(ws_);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);  // fails a write stuck on a full socket, and the read
}

class endpoint final : public http::upgrade_target {
public:
    endpoint(hub& room, chat_options options, ws_options ws, logger& log)
        : room_(room),
          settings_(std::make_shared<const ws_settings>(
              ws_settings{options, ws,
                          outbound_options{.limit = options.max_queue,
                                           .high_water = options.high_water(),
                                           .stall_timeout = options.stall_timeout}})),
          log_(log) {}

    std::shared_ptr<http::upgraded_connection> take(tcp::socket& socket, std::shared_ptr<void> owner,
                                                    http::request_header request) override {
        return std::make_shared<ws_session>(socket, std::move(owner), std::move(request), room_, settings_, log_);
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
