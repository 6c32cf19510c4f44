#include <netkit/outbound.hpp>

#include <netkit/metrics/registry.hpp>
#include <netkit/tcp_session.hpp>

namespace netkit {

using asio::as_tuple;
using asio::use_awaitable;

namespace {
void wake_all(std::vector<std::function<void()>> waiters) {
    for (auto& wake : waiters) wake();
}
}  // namespace

outbound::outbound(tcp_session& owner, stream& s, outbound_options options, std::function<void(drop)> dropped)
    : owner_(owner),
      stream_(s),
      options_(options),
      dropped_(std::move(dropped)),
      drained_(s.get_executor()),
      stall_timer_(s.get_executor()) {}

bool outbound::push(shared_bytes bytes) {
    std::vector<std::function<void()>> wake;
    bool start = false, overflow = false, congested = false;
    {
        std::lock_guard lock(mutex_);
        if (sealed_ || closed_) return false;
        if (bytes_ + bytes->size() > options_.limit) {
            closed_ = true;
            std::vector<shared_bytes>().swap(queue_);
            wake.swap(waiters_);
            overflow = true;
        } else {
            bytes_ += bytes->size();
            queue_.push_back(std::move(bytes));
            congested = bytes_ > options_.high_water;
            start = !writing_;
            writing_ = true;
        }
    }
    wake_all(std::move(wake));
    if (start) start_writer();
    if (overflow)
        asio::post(stream_.get_executor(), [self = owner_.shared_from_this(), this] { give_up(drop::overflow); });
    if (congested && !watching_stall_.exchange(true))
        asio::co_spawn(stream_.get_executor(), [self = owner_.shared_from_this(), this] { return watch_stall(); },
                       asio::detached);
    return congested;
}

void outbound::when_drained(std::function<void()> wake) {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && bytes_ > options_.high_water) {
            waiters_.push_back(std::move(wake));
            return;
        }
    }
    wake();
}

bool outbound::congested() const {
    std::lock_guard lock(mutex_);
    return !closed_ && bytes_ > options_.high_water;
}

std::size_t outbound::pending_bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

bool outbound::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

void outbound::seal() {
    bool idle = false;
    {
        std::lock_guard lock(mutex_);
        sealed_ = true;
        idle = !writing_;
    }
    if (idle) close();  // nothing left to send; else the writer closes once it has sent it
}

asio::awaitable<bool> outbound::drain(std::chrono::steady_clock::duration timeout) {
    bool writing = false;
    {
        std::lock_guard lock(mutex_);
        sealed_ = true;
        writing = writing_;
    }
    bool in_time = true;
    if (writing) {
        // The writer runs on this strand too, so it cannot end between the look and the wait.
        drained_.expires_after(timeout);
        auto [ec] = co_await drained_.async_wait(as_tuple(use_awaitable));
        in_time = static_cast<bool>(ec);  // cancelled by the writer's end
    }
    close();
    co_return in_time;
}

void outbound::close() {
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        std::vector<shared_bytes>().swap(queue_);
        wake.swap(waiters_);
    }
    wake_all(std::move(wake));
    stall_timer_.cancel();
    close_socket();  // fails a write stuck on a full socket, and a read
}

void outbound::give_up(drop why) {
    if (dropped_) dropped_(why);
    close();
}

void outbound::close_socket() {
    stream_.shutdown_send_now();
    stream_.close();
}

std::vector<std::function<void()>> outbound::drained_locked() {
    std::vector<std::function<void()>> wake;
    if (closed_ || bytes_ <= options_.high_water) wake.swap(waiters_);
    return wake;
}

void outbound::sent(std::size_t bytes) {
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        bytes_ -= bytes < bytes_ ? bytes : bytes_;
        wake = drained_locked();
    }
    wake_all(std::move(wake));
    if (auto* c = options_.bytes_sent) c->add(bytes);
}

void outbound::start_writer() {
    asio::post(stream_.get_executor(), [self = owner_.shared_from_this(), this] { write(); });
}

void outbound::write() {
    boost::system::error_code ec;
    std::string flat;
    bool done = false;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (closed_ || queue_.empty()) {
                // The writer ends; the next push starts a new one. Sealed or closed: for good.
                writing_ = false;
                done = closed_ || sealed_;
                if (!done && queue_.capacity() > idle_entries) std::vector<shared_bytes>().swap(queue_);
                break;
            }
            queue_.swap(batch_);
        }
        if (auto* c = options_.buffers_sent) c->add(batch_.size());
        // Everything queued since the last write goes out in one send. Messages are small, so a
        // burst is copied into one flat buffer: one send call per burst costs the kernel far less
        // than many iovec entries (and Asio caps a gathered write at 64 of them); over TLS, one
        // record instead of one per message.
        asio::const_buffer out;
        if (batch_.size() == 1) {
            out = asio::buffer(*batch_.front());
        } else {
            flat.clear();
            for (const auto& b : batch_) flat += *b;
            out = asio::buffer(flat);
        }
        const std::size_t n = stream_.write_some_now(out, ec);
        if (ec && ec != asio::error::would_block) {
            batch_.clear();
            std::lock_guard lock(mutex_);
            closed_ = true;  // the connection failed: nothing more goes out
            continue;
        }
        if (n < out.size()) {
            // The peer's socket is full: a coroutine waits for room for the rest, then calls
            // write() again. Until then pushes only queue (writing_ stays set).
            std::string rest(static_cast<const char*>(out.data()) + n, out.size() - n);
            const std::size_t burst = out.size();
            batch_.clear();
            asio::co_spawn(stream_.get_executor(),
                           [self = owner_.shared_from_this(), this, rest = std::move(rest), burst]() mutable {
                               return write_rest(std::move(rest), burst);
                           },
                           asio::detached);
            return;
        }
        batch_.clear();
        progress();
        sent(out.size());
    }
    if (batch_.capacity() > idle_entries) std::vector<shared_bytes>().swap(batch_);
    if (done) {
        // Sealed and sent, or the connection failed: close it (which also ends a read still
        // waiting) and let drain() finish.
        close();
        drained_.cancel();
    }
}

asio::awaitable<void> outbound::write_rest(std::string rest, std::size_t burst) {
    // Piece by piece, so that a peer reading slowly but steadily counts as making progress.
    std::size_t done = 0;
    boost::system::error_code ec;
    while (!ec && done < rest.size()) {
        auto [write_ec, n] = co_await stream_.async_write_some(asio::buffer(rest.data() + done, rest.size() - done),
                                                               as_tuple(use_awaitable));
        ec = write_ec;
        done += n;
        if (n > 0) progress();
    }
    if (ec) {
        std::lock_guard lock(mutex_);
        closed_ = true;
    } else {
        sent(burst);
    }
    write();
}

asio::awaitable<void> outbound::watch_stall() {
    progress();  // the clock starts when the queue crosses the mark, not at the last write
    for (;;) {
        while (congested()) {
            const auto stalled_since = progress_at_;
            stall_timer_.expires_at(stalled_since + options_.stall_timeout);
            auto [ec] = co_await stall_timer_.async_wait(as_tuple(use_awaitable));
            if (ec) break;
            if (progress_at_ == stalled_since && congested()) {
                give_up(drop::stalled);
                break;
            }
        }
        watching_stall_ = false;
        // A push may have crossed the mark again after the loop's last look, and seen us running.
        if (!congested() || watching_stall_.exchange(true)) co_return;
    }
}

}  // namespace netkit
