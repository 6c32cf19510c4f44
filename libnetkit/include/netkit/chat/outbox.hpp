// One client's bounded queue of outgoing bytes. Any thread may push; the session's writer takes
// everything queued at once and sends it in one gathered write.
#pragma once

#include <netkit/chat/participant.hpp>

#include <cstddef>
#include <mutex>
#include <vector>

namespace netkit::chat {

class outbox {
public:
    // `limit`: bytes queued or being written before the client counts as a slow consumer.
    explicit outbox(std::size_t limit);

    enum class push_result {
        queued,    // the writer is busy and will find it
        wake,      // the writer is waiting: wake it (on its strand)
        overflow,  // over the limit: the queue is dropped and closed; disconnect the client
        closed,    // sealed or closed: dropped
    };
    // Thread-safe.
    push_result push(shared_bytes bytes);

    enum class take_result {
        batch,  // `batch` holds everything that was queued
        wait,   // nothing queued: the writer should wait to be woken
        done,   // sealed and drained, or closed: the writer should finish
    };
    // Writer side. Moves all queued buffers into `batch` (which must be empty).
    take_result take(std::vector<shared_bytes>& batch);
    // Writer side: `bytes` of the last batch have reached the socket and no longer count.
    void written(std::size_t bytes);

    // No more pushes; the writer sends what is queued, then finishes. Returns true when the writer
    // was waiting and must be woken.
    bool seal();
    // No more pushes and nothing more to send: the writer finishes at once.
    void close();

    std::size_t pending_bytes() const;
    std::size_t limit() const { return limit_; }

private:
    const std::size_t limit_;
    mutable std::mutex mutex_;
    std::vector<shared_bytes> queue_;
    std::size_t bytes_ = 0;  // queued plus being written
    bool waiting_ = false;
    bool sealed_ = false;
    bool closed_ = false;
};

}  // namespace netkit::chat
