#include <netkit/chat/chat_session.hpp>

#include <netkit/chat/wire.hpp>
#include <netkit/chat/chat_metrics.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/read_ready.hpp>

#include <exception>
#include <sstream>

namespace netkit::chat {

using asio::as_tuple;
using asio::use_awaitable;

namespace {
// Bytes of messages said as one burst; one read holds at most 64 KiB anyway.
constexpr std::size_t burst_limit = 64 * 1024;
}  // namespace

chat_session::chat_session(stream s, hub& room, const chat_options& options, logger& log,
                           const chat::protocol& speaks)
    : tcp_session(std::move(s)),
      hub_(room),
      options_(options),
      log_(log),
      protocol_(speaks),
      out_(*this, stream_,
           outbound_options{.limit = options.max_queue,
                            .high_water = options.high_water(),
                            .stall_timeout = options.stall_timeout,
                            .buffers_sent = options.metrics ? &options.metrics->messages_out : nullptr,
                            .bytes_sent = options.metrics ? &options.metrics->bytes_out : nullptr},
           [this](outbound::drop why) { dropped(why); }),
      login_timer_(stream_.get_executor()),
      paced_(stream_.get_executor()) {}

std::string chat_session::describe() const {
    std::string who = name_.empty() ? std::string("(no name yet)") : name_;
    return who + " (" + to_string(remote_) + ", " + std::string(protocol_.name()) + ")";
}

asio::awaitable<void> chat_session::serve() {
    const auto decoder = protocol_.decoder(options_.max_message);
    // As in the lessons: a name first (asked for until a free one comes, where the protocol asks;
    // lesson 003's first frame is the name, once), then messages until the end or the quit text.
    if (!protocol_.prompt().empty()) send(notice(protocol_.prompt()));
    for (;;) {
        const auto answer = co_await read_message(*decoder);
        if (!answer || is_quit(*answer)) co_return;
        const auto why = co_await join(std::string(*answer));
        if (!why) break;
        send(notice(protocol_.refusal(*why)));
        if (!protocol_.asks_again()) co_return;
        if (!protocol_.prompt_again().empty()) send(notice(protocol_.prompt_again()));
    }
    std::vector<std::string> burst;
    for (bool quit = false; !quit;) {
        auto text = co_await read_message(*decoder);
        if (!text) break;
        // Every message this read held goes to the room as one burst: one buffer per recipient
        // instead of one per message (a sender with a backlog costs the room far less).
        burst.clear();
        std::size_t bytes = 0;
        std::exception_ptr broken;
        try {
            while (text && bytes < burst_limit) {
                if (is_quit(*text)) {
                    quit = true;
                    break;
                }
                if (!text->empty()) {  // an empty frame or line says nothing
                    bytes += text->size();
                    burst.emplace_back(*text);
                }
                if (bytes < burst_limit) text = decoder->next();
            }
        } catch (const framing::error&) {
            broken = std::current_exception();  // what came before the bad frame still counts
        }
        if (burst.size() == 1) co_await say(std::string_view(burst.front()));
        else if (!burst.empty()) co_await say(std::span<const std::string>(burst));
        if (broken) std::rethrow_exception(broken);
    }
}

asio::awaitable<std::optional<std::string_view>> chat_session::read_message(message_decoder& decoder) {
    for (;;) {
        if (auto message = decoder.next()) co_return message;
        // Waits for the client holding no buffer, then reads what arrived (an idle client costs no
        // read buffer, and no coroutine frame beyond this one).
        auto [ec] = co_await stream_.async_wait_readable(as_tuple(use_awaitable));
        if (ec) co_return decoder.finish();
        const auto bytes = read_ready();
        if (!bytes) co_return decoder.finish();
        decoder.feed(*bytes);
    }
}

asio::awaitable<void> chat_session::run() {
    boost::system::error_code ec;
    stream_.socket().non_blocking(true, ec);  // read_ready() and the outbound's writer never block the thread
    asio::co_spawn(stream_.get_executor(),
                   [self = std::static_pointer_cast<chat_session>(shared_from_this())] { return self->login_deadline(); },
                   asio::detached);
    try {
        co_await serve();
    } catch (const framing::error& e) {
        log_.info("closing ", describe(), ": ", e.what());
        send(notice(e.what()));
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

    // What is still queued gets flush_timeout, so a client that stopped reading cannot keep its
    // session (and queue) forever.
    if (!co_await out_.drain(options_.flush_timeout))
        log_.info("closing ", describe(), ": queued output not read in time");
}

asio::awaitable<std::optional<std::string>> chat_session::join(std::string name) {
    bool checked_here_only = false;
    if (auto why = co_await hub_.claim(name, &checked_here_only)) {
        log_.info("name refused for ", to_string(remote_), ": ", *why);
        co_return why;
    }
    name_ = std::move(name);
    claimed_ = true;
    if (auto* m = options_.metrics) m->names_claimed.add();
    login_timer_.cancel();
    const std::size_t present = hub_.size() + 1;  // a moment's count: a join racing with this one may not be in it
    if (auto text = protocol_.welcome(name_, present, present > hub_.announce_limit()); !text.empty())
        send(notice(text));
    if (checked_here_only) send(notice(protocol_.checked_here_only()));
    hub_.enter(std::static_pointer_cast<chat_session>(shared_from_this()), name_);
    entered_ = true;
    if (auto* m = options_.metrics) m->members.add();
    log_.info(describe(), " joined");
    co_return std::nullopt;
}

asio::awaitable<void> chat_session::say(std::string_view text) {
    if (log_.enabled(log_level::debug)) log_.debug(name_, ": ", text);
    if (auto* m = options_.metrics) m->messages_in.add();
    co_await keep_pace(hub_.say(*this, name_, text));
}

asio::awaitable<void> chat_session::say(std::span<const std::string> texts) {
    if (log_.enabled(log_level::debug))
        for (const auto& text : texts) log_.debug(name_, ": ", text);
    if (auto* m = options_.metrics) m->messages_in.add(texts.size());
    co_await keep_pace(hub_.say(*this, name_, texts));
}

asio::awaitable<void> chat_session::keep_pace(std::vector<std::shared_ptr<participant>> congested) {
    if (congested.empty()) co_return;
    // Backpressure: this client is not read until the room keeps up. A recipient that stopped
    // reading holds us at most stall_timeout, by then watch_stall() has dropped it.
    const auto deadline = std::chrono::steady_clock::now() + options_.stall_timeout;
    std::weak_ptr<chat_session> weak = std::static_pointer_cast<chat_session>(shared_from_this());
    for (const auto& recipient : congested) {
        auto wake = std::make_shared<std::atomic<bool>>(false);
        paced_.expires_at(deadline);
        recipient->when_drained([weak, wake] {
            if (auto self = weak.lock())
                asio::post(self->stream_.get_executor(), [self, wake] {
                    wake->store(true);
                    self->paced_.cancel();
                });
        });
        // The wake-up runs on this strand, so it cannot slip in before the wait below starts.
        while (!wake->load() && !stopping_ && std::chrono::steady_clock::now() < deadline)
            co_await paced_.async_wait(as_tuple(use_awaitable));
        if (stopping_ || std::chrono::steady_clock::now() >= deadline) co_return;
    }
}

void chat_session::send(std::string bytes) { deliver(std::make_shared<const std::string>(std::move(bytes))); }

bool chat_session::deliver(shared_bytes bytes) { return out_.push(std::move(bytes)); }

void chat_session::when_drained(std::function<void()> wake) { out_.when_drained(std::move(wake)); }

void chat_session::renamed(std::string new_name, std::string why) {
    send(notice(why));  // at once, so it comes before the room sees the rename
    asio::post(stream_.get_executor(),
               [self = std::static_pointer_cast<chat_session>(shared_from_this()), n = std::move(new_name)]() mutable {
                   self->name_ = std::move(n);
               });
}

void chat_session::dropped(outbound::drop why) {
    if (why == outbound::drop::overflow)
        log_.warn("slow consumer ", describe(), ": more than ", options_.max_queue,
                  " bytes waiting to be sent; disconnecting it");
    else
        log_.warn("slow consumer ", describe(), ": ", out_.pending_bytes(), " bytes unread and none sent for ",
                  std::chrono::duration<double>(options_.stall_timeout).count(), " s; disconnecting it");
    if (auto* m = options_.metrics) m->slow_consumers.add();
}

asio::awaitable<void> chat_session::login_deadline() {
    login_timer_.expires_after(options_.login_timeout);
    auto [ec] = co_await login_timer_.async_wait(as_tuple(use_awaitable));
    if (ec || claimed_) co_return;
    const auto seconds = std::chrono::duration<double>(options_.login_timeout).count();
    log_.info("closing ", describe(), ": no name given within ", seconds, " s");
    std::ostringstream why;
    why << "no name given within " << seconds << " s; closing the connection";
    // As on shutdown: the notice goes out, then the writer closes; the reader sees the end.
    send(notice(why.str()));
    out_.seal();
    stream_.shutdown_receive();
}

void chat_session::on_stop_requested() {
    stopping_ = true;
    paced_.cancel();
    send(notice(protocol_.goodbye()));
    out_.seal();  // nothing after the goodbye; the writer closes the connection once it is out
    stream_.shutdown_receive();
}

std::optional<std::string_view> chat_session::read_ready() {
    auto bytes = netkit::read_ready(stream_);
    if (auto* m = options_.metrics; m && bytes) m->bytes_in.add(bytes->size());
    return bytes;
}

tcp_server::session_factory session_factory(hub& room, chat_options options, logger& log, const chat::protocol& speaks) {
    return [&room, options, &log, &speaks](stream s) {
        return std::make_shared<chat_session>(std::move(s), room, options, log, speaks);
    };
}

}  // namespace netkit::chat
