#include <netkit/files/upload_budget.hpp>

#include <netkit/files/error.hpp>

#include <utility>

namespace netkit::files {

upload_budget::upload_budget(std::uint64_t max_in_flight, std::uint64_t min_free)
    : max_in_flight_(max_in_flight), min_free_(min_free) {}

upload_budget::share::share(share&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

upload_budget::share& upload_budget::share::operator=(share&& other) noexcept {
    if (this != &other) {
        release();
        budget_ = std::exchange(other.budget_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

void upload_budget::share::release() noexcept {
    if (budget_) budget_->give_back(bytes_);
    budget_ = nullptr;
    bytes_ = 0;
}

upload_budget::share upload_budget::claim(const std::string& name, std::uint64_t bytes, std::uint64_t available) {
    std::lock_guard lock(mutex_);
    // Written so that no sum can overflow, whatever a client declares.
    if (bytes > max_in_flight_ - in_flight_)
        throw files_error("busy: '" + name + "' (" + std::to_string(bytes) + " bytes) would bring the uploads in " +
                          "progress to more than " + std::to_string(max_in_flight_) + " bytes (" +
                          std::to_string(in_flight_) + " now); try again later");
    // Bytes not yet written by the uploads in progress are still counted as free by the file system.
    const std::uint64_t needed = in_flight_ + bytes;
    if (available < min_free_ || available - min_free_ < needed)
        throw files_error("not enough space for '" + name + "': " + std::to_string(bytes) + " bytes needed, " +
                          std::to_string(in_flight_) + " promised to uploads in progress, " +
                          std::to_string(available) + " available of which " + std::to_string(min_free_) +
                          " are kept free");
    in_flight_ += bytes;
    return share(this, bytes);
}

std::uint64_t upload_budget::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

void upload_budget::give_back(std::uint64_t bytes) noexcept {
    std::lock_guard lock(mutex_);
    in_flight_ -= bytes;
}

}  // namespace netkit::files
