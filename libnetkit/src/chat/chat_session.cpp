#include <netkit/chat/chat_session.hpp>

#include <netkit/endpoint.hpp>
#include <netkit/write_all.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <array>

namespace netkit::chat {

using asio::as_tuple;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

chat_session::chat_session(tcp::socket socket, hub& room, const chat_options& options, logger& log)
    : tcp_session(std::move(socket)),
      hub_(room),
      options_(options),
      log_(log),
      outbox_(options.max_queue),
      wake_(socket_.get_executor()) {}

std::string chat_session::describe() const {
    std::string who = name_.empty() ? std::string("(no name yet)") : name_;
    return who + " (" + to_string(remote_) + ", " + (protocol() == protocol::header ? "header" : "line") + ")";
}

asio::awaitable<void> chat_session::run() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);  // receive_some() reads without blocking once woken
    co_await (converse() && write_loop());
}

asio::awaitable<void> chat_session::converse() {
    try {
        co_await serve();
    } catch (const framing::error& e) {
        log_.info("closing ", describe(), ": ", e.what());
        send(notice(e.what()));
    } catch (const std::exception& e) {
        // Never leave a dead member behind: whatever failed, the session still leaves the hub.
        log_.warn("session ", describe(), " failed: ", e.what());
    }
    if (claimed_) hub_.leave(*this, name_);
    if (entered_) log_.info(describe(), " left");
    finish_output();
}

asio::awaitable<std::optional<std::string>> chat_session::join(std::string name) {
    if (auto why = co_await hub_.claim(name)) {
        log_.info("name refused for ", to_string(remote_), ": ", *why);
        co_return why;
    }
    name_ = std::move(name);
    claimed_ = true;
    welcome();
    hub_.enter(std::static_pointer_cast<chat_session>(shared_from_this()), name_);
    entered_ = true;
    log_.info(describe(), " joined");
    co_return std::nullopt;
}

void chat_session::say(std::string_view text) {
    if (log_.enabled(log_level::debug)) log_.debug(name_, ": ", text);
    hub_.say(*this, name_, text);
}

void chat_session::send(std::string bytes) { deliver(std::make_shared<const std::string>(std::move(bytes))); }

void chat_session::deliver(shared_bytes bytes) { handle_push(outbox_.push(std::move(bytes))); }

void chat_session::handle_push(outbox::push_result result) {
    if (result == outbox::push_result::wake) {
        // The writer waits on the strand's timer; only the strand may touch it.
        asio::post(socket_.get_executor(),
                   [self = std::static_pointer_cast<chat_session>(shared_from_this())] { self->wake_.cancel(); });
    } else if (result == outbox::push_result::overflow) {
        asio::post(socket_.get_executor(), [self = std::static_pointer_cast<chat_session>(shared_from_this())] {
            self->log_.warn("slow consumer ", self->describe(), ": more than ", self->outbox_.limit(),
                            " bytes waiting to be sent; disconnecting it");
            boost::system::error_code ignored;
            self->wake_.cancel();
            self->socket_.close(ignored);  // fails a write stuck on the full socket, and the read
        });
    }
}

void chat_session::finish_output() {
    if (outbox_.seal()) wake_.cancel();
}

void chat_session::on_stop_requested() {
    send(goodbye());
    finish_output();
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

asio::awaitable<std::string_view> chat_session::receive_some() {
    // Shared by every session this thread serves: a read fills it and the caller consumes it
    // before its next suspension, so an idle client costs no read buffer at all.
    thread_local std::array<char, 64 * 1024> scratch;
    for (;;) {
        auto [wait_ec] = co_await socket_.async_wait(tcp::socket::wait_read, as_tuple(use_awaitable));
        if (wait_ec) co_return std::string_view();
        boost::system::error_code ec;
        const std::size_t n = socket_.read_some(asio::buffer(scratch), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
        if (ec || n == 0) co_return std::string_view();
        co_return std::string_view(scratch.data(), n);
    }
}

asio::awaitable<void> chat_session::write_loop() {
    std::vector<shared_bytes> batch;
    std::string flat;
    for (;;) {
        const auto state = outbox_.take(batch);
        if (state == outbox::take_result::done) break;
        if (state == outbox::take_result::wait) {
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(as_tuple(use_awaitable));
            continue;
        }
        // Everything queued since the last write goes out in one write. Chat messages are small,
        // so a burst is copied into one flat buffer: one send call per burst costs the kernel far
        // less than many iovec entries (and Asio caps a gathered write at 64 of them).
        asio::const_buffer out;
        if (batch.size() == 1) {
            out = asio::buffer(*batch.front());
        } else {
            flat.clear();
            for (const auto& b : batch) flat += *b;
            batch.clear();  // the shared buffers are not needed while the copy is written
            out = asio::buffer(flat);
        }
        const auto ec = co_await write_all(socket_, out);
        batch.clear();
        if (batch.capacity() > 64) std::vector<shared_bytes>().swap(batch);
        if (flat.capacity() > 64 * 1024) std::string().swap(flat);  // a burst's memory goes back
        if (ec) {
            outbox_.close();
            break;
        }
        outbox_.written(out.size());
    }
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);  // also ends a read still waiting in serve()
}

}  // namespace netkit::chat
