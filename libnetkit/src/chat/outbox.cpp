#include <netkit/chat/outbox.hpp>

namespace netkit::chat {

outbox::outbox(std::size_t limit) : limit_(limit) {}

outbox::push_result outbox::push(shared_bytes bytes) {
    std::lock_guard lock(mutex_);
    if (sealed_ || closed_) return push_result::closed;
    if (bytes_ + bytes->size() > limit_) {
        closed_ = true;
        std::vector<shared_bytes>().swap(queue_);
        return push_result::overflow;
    }
    bytes_ += bytes->size();
    queue_.push_back(std::move(bytes));
    if (writing_) return push_result::queued;
    writing_ = true;
    return push_result::start_writer;
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

void outbox::written(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    bytes_ -= bytes < bytes_ ? bytes : bytes_;
}

bool outbox::seal() {
    std::lock_guard lock(mutex_);
    sealed_ = true;
    return writing_;
}

void outbox::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    std::vector<shared_bytes>().swap(queue_);
}

std::size_t outbox::pending_bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace netkit::chat
