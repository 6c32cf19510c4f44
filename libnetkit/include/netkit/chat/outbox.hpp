// One client's bounded queue of outgoing bytes. Any thread may push; a writer runs only while
// there is something to send, takes everything queued at once and sends it in one write. An idle
// client therefore holds no writer and no queue memory.
#pragma once

#include <netkit/chat/participant.hpp>

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace netkit::chat {

class outbox {
public:
    // `limit`: bytes queued or being written past which the client is dropped (the hard cap).
    // `high_water`: above it the client is congested: its senders wait (see chat_options).
    outbox(std::size_t limit, std::size_t high_water);

    enum class push_result {
        queued,        // a writer is running and will find it
        start_writer,  // no writer was running: the caller must start one (it now counts as running)
        overflow,      // over the limit: the queue is dropped and closed; disconnect the client
        closed,        // sealed or closed: dropped
    };
    // Thread-safe. `congested` (if given) tells whether the queue is above the high-water mark.
    push_result push(shared_bytes bytes, bool* congested = nullptr);

    enum class take_result {
        batch,  // `batch` holds everything that was queued
        idle,   // nothing queued: the writer ends; the next push starts a new one
        done,   // sealed and drained, or closed: the writer ends and closes the connection
    };
    // Writer side. Moves all queued buffers into `batch` (which must be empty).
    take_result take(std::vector<shared_bytes>& batch);
    // Writer side: `bytes` of the last batch have reached the socket and no longer count. Wakes
    // the waiters of when_drained() once the queue is at or below the mark.
    void written(std::size_t bytes);

    // Thread-safe. Calls `wake` (on the caller's thread now, or later on the writer's) once the
    // queue is at or below the high-water mark, or closed.
    void when_drained(std::function<void()> wake);
    bool congested() const;

    // No more pushes. Returns true when a writer is still running: it sends what is queued, then
    // ends with take_result::done.
    bool seal();
    // No more pushes and nothing more to send: a running writer ends at its next take(). Wakes
    // the waiters of when_drained().
    void close();

    std::size_t pending_bytes() const;

    // Queue slots an idle client keeps (a burst's larger queue is given back).
    static constexpr std::size_t idle_entries = 4;
    std::size_t limit() const { return limit_; }

private:
    std::vector<std::function<void()>> drained_locked();  // the waiters to wake, if it is time

    const std::size_t limit_;
    const std::size_t high_water_;
    std::vector<std::function<void()>> waiters_;
    mutable std::mutex mutex_;
    std::vector<shared_bytes> queue_;
    std::size_t bytes_ = 0;  // queued plus being written
    bool writing_ = false;   // a writer was started and has not ended
    bool sealed_ = false;
    bool closed_ = false;
};

}  // namespace netkit::chat
