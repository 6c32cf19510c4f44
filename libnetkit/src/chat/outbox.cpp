#include <netkit/chat/outbox.hpp>

namespace netkit::chat {

namespace {
void wake_all(std::vector<std::function<void()>> waiters) {
    for (auto& wake : waiters) wake();
}
}  // namespace

outbox::outbox(std::size_t limit, std::size_t high_water) : limit_(limit), high_water_(high_water) {}

outbox::push_result outbox::push(shared_bytes bytes, bool* congested) {
    std::vector<std::function<void()>> wake;
    push_result result;
    {
        std::lock_guard lock(mutex_);
        if (sealed_ || closed_) return push_result::closed;
        if (bytes_ + bytes->size() > limit_) {
            closed_ = true;
            std::vector<shared_bytes>().swap(queue_);
            wake.swap(waiters_);
            result = push_result::overflow;
        } else {
            bytes_ += bytes->size();
            queue_.push_back(std::move(bytes));
            if (congested) *congested = bytes_ > high_water_;
            result = writing_ ? push_result::queued : push_result::start_writer;
            writing_ = true;
        }
    }
    wake_all(std::move(wake));
    return result;
}

outbox::take_result outbox::take(std::vector<shared_bytes>& batch) {
    std::lock_guard lock(mutex_);
    if (!closed_ && !queue_.empty()) {
        queue_.swap(batch);
        return take_result::batch;
    }
    writing_ = false;
    if (closed_ || sealed_) return take_result::done;
    if (queue_.capacity() > idle_entries) std::vector<shared_bytes>().swap(queue_);
    return take_result::idle;
}

std::vector<std::function<void()>> outbox::drained_locked() {
    std::vector<std::function<void()>> wake;
    if (closed_ || bytes_ <= high_water_) wake.swap(waiters_);
    return wake;
}

void outbox::written(std::size_t bytes) {
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        bytes_ -= bytes < bytes_ ? bytes : bytes_;
        wake = drained_locked();
    }
    wake_all(std::move(wake));
}

void outbox::when_drained(std::function<void()> wake) {
    {
        std::lock_guard lock(mutex_);
        if (!closed_ && bytes_ > high_water_) {
            waiters_.push_back(std::move(wake));
            return;
        }
    }
    wake();
}

bool outbox::congested() const {
    std::lock_guard lock(mutex_);
    return !closed_ && bytes_ > high_water_;
}

bool outbox::seal() {
    std::lock_guard lock(mutex_);
    sealed_ = true;
    return writing_;
}

void outbox::close() {
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        std::vector<shared_bytes>().swap(queue_);
        wake.swap(waiters_);
    }
    wake_all(std::move(wake));
}

std::size_t outbox::pending_bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace netkit::chat
