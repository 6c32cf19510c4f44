// One connection's outgoing bytes, for any session over a stream, plain or TLS (the chat's, a user's own).
// Any thread may push shared, immutable buffers; a writer runs on the session's strand only while
// there is something to send: it takes everything queued at once and sends it with one
// non-blocking send, and returns when the queue is empty. An idle connection therefore holds no
// writer, no coroutine frame and no queue memory; only a peer whose socket is full gets a
// coroutine that waits for room.
//
// The queue is bounded: above `high_water` it is congested (push() says so, when_drained() waits
// for it to come back), past `limit` the connection is closed at once, and a congested queue of
// which nothing reaches the socket for `stall_timeout` means the peer stopped reading: closed too.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/stream.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace netkit {

namespace metrics {
class counter;
}
class tcp_session;

// Bytes shared, read-only, by every connection they are pushed to.
using shared_bytes = std::shared_ptr<const std::string>;

struct outbound_options {
    // Hard cap on the bytes queued or being written: past it the connection is closed at once.
    std::size_t limit = 1024 * 1024;
    // Above it the queue is congested.
    std::size_t high_water = 256 * 1024;
    // Congested with nothing sent for this long: the peer stopped reading; the connection is closed.
    std::chrono::milliseconds stall_timeout{5000};
    // Counted when they reach the socket (nullptr: not counted); they must outlive the outbound.
    metrics::counter* buffers_sent = nullptr;
    metrics::counter* bytes_sent = nullptr;
};

class outbound {
public:
    // Why the outbound closed a connection on its own.
    enum class drop {
        overflow,  // more than `limit` bytes waiting
        stalled,   // congested and nothing sent for stall_timeout
    };

    // `s` is `owner`'s, on its strand; the outbound is a member of `owner`, whom its writer
    // keeps alive while it runs. `dropped` (optional) hears, on the strand, just before the
    // connection is closed, why: for a log record or a counter.
    outbound(tcp_session& owner, stream& s, outbound_options options,
             std::function<void(drop)> dropped = {});
    outbound(const outbound&) = delete;
    outbound& operator=(const outbound&) = delete;

    // Thread-safe. Queues `bytes` (dropped once sealed or closed). Returns true when the queue is
    // now congested: whoever sent it should wait (when_drained) before sending more.
    bool push(shared_bytes bytes);
    // Thread-safe. Calls `wake` (on the caller's thread now, or later on the strand) once the
    // queue is at or below the high-water mark, or closed.
    void when_drained(std::function<void()> wake);
    bool congested() const;          // thread-safe
    std::size_t pending_bytes() const;  // thread-safe: queued plus being written
    bool closed() const;                // thread-safe: closed, it takes no more

    // On the strand. No more pushes; what is queued still goes out, then the connection is closed
    // (at once when nothing is queued).
    void seal();
    // On the strand. Seals, waits at most `timeout` for what is queued to go out, then closes the
    // connection. Returns false when it was not all sent in time.
    asio::awaitable<bool> drain(std::chrono::steady_clock::duration timeout);
    // On the strand. Drops what is queued, wakes the waiters of when_drained() and closes the
    // connection (which also ends a read waiting on it).
    void close();

    // Queue slots an idle connection keeps (a burst's larger queue is given back).
    static constexpr std::size_t idle_entries = 4;

private:
    void start_writer();  // posts write() to the strand, keeping the owner alive
    // On the strand: sends each batch with one non-blocking send until the queue is empty.
    void write();
    // Only for a peer whose socket is full: waits until `rest` of a `burst`-byte batch is sent,
    // then goes on with write().
    asio::awaitable<void> write_rest(std::string rest, std::size_t burst);
    void sent(std::size_t bytes);  // `bytes` reached the socket: they no longer count
    // Runs while the queue is congested: drops the peer once nothing was sent for stall_timeout.
    asio::awaitable<void> watch_stall();
    void progress() { progress_at_ = std::chrono::steady_clock::now(); }
    void give_up(drop why);  // on the strand: tells `dropped_`, then close()
    void close_socket();
    std::vector<std::function<void()>> drained_locked();  // the waiters to wake, if it is time

    tcp_session& owner_;
    stream& stream_;
    const outbound_options options_;
    const std::function<void(drop)> dropped_;

    mutable std::mutex mutex_;
    std::vector<shared_bytes> queue_;
    std::vector<std::function<void()>> waiters_;
    std::size_t bytes_ = 0;  // queued plus being written
    bool writing_ = false;   // a writer was started and has not ended
    bool sealed_ = false;
    bool closed_ = false;

    // Strand only.
    std::vector<shared_bytes> batch_;  // the batch being sent
    asio::steady_timer drained_;       // drain() waits on it; the writer's end cancels it
    asio::steady_timer stall_timer_;
    std::chrono::steady_clock::time_point progress_at_;  // last bytes sent
    std::atomic<bool> watching_stall_{false};
};

}  // namespace netkit
