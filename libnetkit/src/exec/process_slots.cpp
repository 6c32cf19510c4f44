#include <netkit/exec/process_slots.hpp>

#include <algorithm>
#include <chrono>

namespace netkit::exec {

// A waiter sleeps on a timer that never expires; release() or abandon() cancels it. The flags say
// which of the two happened.
struct process_slots::ticket {
    explicit ticket(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer wake;
    bool granted = false;
    bool abandoned = false;
};

process_slots::permit& process_slots::permit::operator=(permit&& other) noexcept {
    if (this != &other) {
        reset();
        owner_ = std::move(other.owner_);
    }
    return *this;
}

void process_slots::permit::reset() {
    if (owner_) std::exchange(owner_, nullptr)->release();
}

std::shared_ptr<process_slots> process_slots::create(std::size_t limit) {
    return std::shared_ptr<process_slots>(new process_slots(limit));
}

asio::awaitable<process_slots::permit> process_slots::acquire(std::shared_ptr<ticket>& waiting) {
    auto t = std::make_shared<ticket>(co_await asio::this_coro::executor);
    {
        std::lock_guard lock(mutex_);
        if (used_ < limit_ && queue_.empty()) {
            ++used_;
            co_return permit(shared_from_this());
        }
        queue_.push_back(t);
    }
    waiting = t;
    co_await t->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    waiting.reset();
    std::lock_guard lock(mutex_);
    // A granted slot was handed over by release() without decrementing used_.
    co_return t->granted ? permit(shared_from_this()) : permit();
}

void process_slots::abandon(const std::shared_ptr<ticket>& waiting) {
    if (!waiting) return;
    {
        std::lock_guard lock(mutex_);
        if (waiting->granted || waiting->abandoned) return;
        waiting->abandoned = true;
        queue_.erase(std::remove(queue_.begin(), queue_.end(), waiting), queue_.end());
    }
    asio::post(waiting->wake.get_executor(), [waiting] { waiting->wake.cancel(); });
}

void process_slots::release() {
    std::shared_ptr<ticket> next;
    {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) {
            --used_;
            return;
        }
        next = std::move(queue_.front());
        queue_.pop_front();
        next->granted = true;
    }
    // Posted to the waiter's strand: its coroutine has started waiting before this runs.
    asio::post(next->wake.get_executor(), [next] { next->wake.cancel(); });
}

std::size_t process_slots::running() const {
    std::lock_guard lock(mutex_);
    return used_;
}

std::size_t process_slots::waiting() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

}  // namespace netkit::exec
