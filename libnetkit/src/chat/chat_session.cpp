#include <netkit/chat/chat_session.hpp>

#include <netkit/chat/wire.hpp>
#include <netkit/chat/chat_metrics.hpp>
#include <netkit/endpoint.hpp>

#include <array>
#include <exception>
#include <sstream>

namespace netkit::chat {

using asio::as_tuple;
using asio::use_awaitable;

namespace {
// Bytes of messages said as one burst; one read holds at most 64 KiB anyway.
constexpr std::size_t burst_limit = 64 * 1024;
}  // namespace

chat_session::chat_session(tcp::socket socket, hub& room, const chat_options& options, logger& log,
                           const chat::protocol& speaks)
    : tcp_session(std::move(socket)),
      hub_(room),
      options_(options),
      log_(log),
      protocol_(speaks),
      outbox_(options.max_queue, options.high_water()),
      flushed_(socket_.get_executor()),
      login_timer_(socket_.get_executor()),
      stall_timer_(socket_.get_executor()),
      paced_(socket_.get_executor()) {}

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
        auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, as_tuple(use_awaitable));
        if (ec) co_return decoder.finish();
        const auto bytes = read_ready();
        if (!bytes) co_return decoder.finish();
        decoder.feed(*bytes);
    }
}

asio::awaitable<void> chat_session::run() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);  // read_ready() and flush() never block the thread
    asio::co_spawn(socket_.get_executor(),
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
    stall_timer_.cancel();
    if (claimed_) hub_.leave(*this, name_);
    if (entered_) log_.info(describe(), " left");
    if (auto* m = options_.metrics) {
        if (claimed_) m->names_claimed.sub();
        if (entered_) m->members.sub();
    }

    if (outbox_.seal()) {
        // A writer is still sending what was queued: give it flush_timeout, so a client that
        // stopped reading cannot keep its session (and queue) forever.
        flushed_.expires_after(options_.flush_timeout);
        auto [timer_ec] = co_await flushed_.async_wait(as_tuple(use_awaitable));
        if (!timer_ec) log_.info("closing ", describe(), ": queued output not read in time");
    }
    close_connection();
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
                asio::post(self->socket_.get_executor(), [self, wake] {
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

bool chat_session::deliver(shared_bytes bytes) {
    bool congested = false;
    handle_push(outbox_.push(std::move(bytes), &congested));
    if (congested && !watching_stall_.exchange(true))
        asio::co_spawn(socket_.get_executor(),
                       [self = std::static_pointer_cast<chat_session>(shared_from_this())] { return self->watch_stall(); },
                       asio::detached);
    return congested;
}

void chat_session::when_drained(std::function<void()> wake) { outbox_.when_drained(std::move(wake)); }

void chat_session::renamed(std::string new_name, std::string why) {
    send(notice(why));  // at once, so it comes before the room sees the rename
    asio::post(socket_.get_executor(),
               [self = std::static_pointer_cast<chat_session>(shared_from_this()), n = std::move(new_name)]() mutable {
                   self->name_ = std::move(n);
               });
}

asio::awaitable<void> chat_session::watch_stall() {
    progress();  // the clock starts when the queue crosses the mark, not at the last write
    for (;;) {
        while (outbox_.congested()) {
            const auto stalled_since = progress_at_;
            stall_timer_.expires_at(stalled_since + options_.stall_timeout);
            auto [ec] = co_await stall_timer_.async_wait(as_tuple(use_awaitable));
            if (ec) break;  // the session is over
            if (progress_at_ == stalled_since && outbox_.congested()) {
                log_.warn("slow consumer ", describe(), ": ", outbox_.pending_bytes(), " bytes unread and none sent for ",
                          std::chrono::duration<double>(options_.stall_timeout).count(), " s; disconnecting it");
                if (auto* m = options_.metrics) m->slow_consumers.add();
                outbox_.close();   // wakes the senders waiting for this client
                close_connection();  // fails a write stuck on the full socket, and the read
                break;
            }
        }
        watching_stall_ = false;
        // A push may have crossed the mark again after the loop's last look, and seen us running.
        if (!outbox_.congested() || watching_stall_.exchange(true)) co_return;
    }
}

void chat_session::handle_push(outbox::push_result result) {
    if (result == outbox::push_result::start_writer) {
        asio::post(socket_.get_executor(),
                   [self = std::static_pointer_cast<chat_session>(shared_from_this())] { self->flush(); });
    } else if (result == outbox::push_result::overflow) {
        asio::post(socket_.get_executor(), [self = std::static_pointer_cast<chat_session>(shared_from_this())] {
            self->log_.warn("slow consumer ", self->describe(), ": more than ", self->outbox_.limit(),
                            " bytes waiting to be sent; disconnecting it");
            if (auto* m = self->options_.metrics) m->slow_consumers.add();
            self->outbox_.close();       // wakes the senders waiting for this client
            self->close_connection();  // fails a write stuck on the full socket, and the read
        });
    }
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
    outbox_.seal();
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

void chat_session::close_connection() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
}

void chat_session::on_stop_requested() {
    stopping_ = true;
    paced_.cancel();
    send(notice(protocol_.goodbye()));
    outbox_.seal();  // nothing after the goodbye; the writer closes the connection once it is out
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

std::optional<std::string_view> chat_session::read_ready() {
    // The caller consumes the bytes before its next suspension, so one buffer per thread serves
    // every session.
    thread_local std::array<char, 64 * 1024> scratch;
    boost::system::error_code ec;
    const std::size_t n = socket_.read_some(asio::buffer(scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return std::string_view();
    if (ec || n == 0) return std::nullopt;
    if (auto* m = options_.metrics) m->bytes_in.add(n);
    return std::string_view(scratch.data(), n);
}

void chat_session::flush() {
    boost::system::error_code ec;
    if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
    std::string flat;
    for (;;) {
        const auto state = outbox_.take(batch_);
        if (state == outbox::take_result::idle) break;
        if (auto* m = options_.metrics; m && state == outbox::take_result::batch) m->messages_out.add(batch_.size());
        if (state == outbox::take_result::done) {
            // Sealed and flushed, or the connection failed: close it (which also ends a read still
            // waiting in serve()) and let run() finish.
            close_connection();
            flushed_.cancel();
            return;
        }
        // Everything queued since the last write goes out in one send. Chat messages are small,
        // so a burst is copied into one flat buffer: one send call per burst costs the kernel far
        // less than many iovec entries (and Asio caps a gathered write at 64 of them).
        asio::const_buffer out;
        if (batch_.size() == 1) {
            out = asio::buffer(*batch_.front());
        } else {
            flat.clear();
            for (const auto& b : batch_) flat += *b;
            out = asio::buffer(flat);
        }
        const std::size_t sent = socket_.write_some(out, ec);
        if (ec && ec != asio::error::would_block) {
            batch_.clear();
            outbox_.close();  // the next take() says done
            continue;
        }
        if (sent < out.size()) {
            // The client's socket is full: a coroutine waits for room for the rest, then calls
            // flush() again. Until then pushes only queue (the outbox still counts a writer).
            std::string rest(static_cast<const char*>(out.data()) + sent, out.size() - sent);
            const std::size_t burst = out.size();
            batch_.clear();
            asio::co_spawn(socket_.get_executor(),
                           [self = std::static_pointer_cast<chat_session>(shared_from_this()),
                            rest = std::move(rest), burst]() mutable {
                               return self->write_rest(std::move(rest), burst);
                           },
                           asio::detached);
            return;
        }
        batch_.clear();
        progress();
        outbox_.written(out.size());
        if (auto* m = options_.metrics) m->bytes_out.add(out.size());
    }
    if (batch_.capacity() > outbox::idle_entries) std::vector<shared_bytes>().swap(batch_);
}

asio::awaitable<void> chat_session::write_rest(std::string rest, std::size_t burst) {
    // Piece by piece, so that a client reading slowly but steadily counts as making progress.
    std::size_t done = 0;
    boost::system::error_code ec;
    while (!ec && done < rest.size()) {
        auto [write_ec, n] = co_await socket_.async_write_some(asio::buffer(rest.data() + done, rest.size() - done),
                                                               as_tuple(use_awaitable));
        ec = write_ec;
        done += n;
        if (n > 0) progress();
    }
    if (ec) {
        outbox_.close();
    } else {
        outbox_.written(burst);
        if (auto* m = options_.metrics) m->bytes_out.add(burst);
    }
    flush();
}

tcp_server::session_factory session_factory(hub& room, chat_options options, logger& log, const chat::protocol& speaks) {
    return [&room, options, &log, &speaks](tcp::socket socket) {
        return std::make_shared<chat_session>(std::move(socket), room, options, log, speaks);
    };
}

}  // namespace netkit::chat
