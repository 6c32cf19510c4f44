// A server-wide limit on commands running at once. Requests over it wait their turn (first come,
// first served) by suspending their coroutine, never by blocking a thread.
#pragma once

#include <netkit/asio.hpp>

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace netkit::exec {

class process_slots : public std::enable_shared_from_this<process_slots> {
public:
    // A place in the queue; abandon() it to stop waiting.
    struct ticket;

    // Holds a slot until destroyed.
    class permit {
    public:
        permit() = default;
        explicit permit(std::shared_ptr<process_slots> owner) : owner_(std::move(owner)) {}
        permit(permit&& other) noexcept = default;
        permit& operator=(permit&& other) noexcept;
        ~permit() { reset(); }
        explicit operator bool() const { return owner_ != nullptr; }
        void reset();

    private:
        std::shared_ptr<process_slots> owner_;
    };

    static std::shared_ptr<process_slots> create(std::size_t limit);

    // Waits for a free slot. `waiting` points at the ticket meanwhile, so the caller can
    // abandon() it from the same strand; an abandoned wait returns an empty permit.
    asio::awaitable<permit> acquire(std::shared_ptr<ticket>& waiting);
    void abandon(const std::shared_ptr<ticket>& waiting);

    std::size_t limit() const { return limit_; }
    std::size_t running() const;
    std::size_t waiting() const;

private:
    explicit process_slots(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}
    void release();

    const std::size_t limit_;
    mutable std::mutex mutex_;  // guards used_, queue_ and the tickets' flags
    std::size_t used_ = 0;
    std::deque<std::shared_ptr<ticket>> queue_;
};

}  // namespace netkit::exec
