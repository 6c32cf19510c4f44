// The disk space uploads in flight may claim, shared by every connection of a file service. An
// upload counts its declared size from its OK until it ends (stored, failed or abandoned), so a
// flood of PUTs that announce large files and send nothing cannot promise away the disk: together
// they hold at most the budget, and a margin of free space is always left to the rest of the host.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace netkit::files {

class upload_budget {
public:
    // `max_in_flight`: bytes all uploads in progress may declare together. `min_free`: bytes of the
    // file system an upload may never eat into.
    upload_budget(std::uint64_t max_in_flight, std::uint64_t min_free);
    upload_budget(const upload_budget&) = delete;
    upload_budget& operator=(const upload_budget&) = delete;

    // One upload's claim: returned to the budget when destroyed (or moved from and emptied).
    class share {
    public:
        share() = default;
        share(share&& other) noexcept;
        share& operator=(share&& other) noexcept;
        ~share() { release(); }
        share(const share&) = delete;
        share& operator=(const share&) = delete;

        std::uint64_t bytes() const { return bytes_; }
        void release() noexcept;

    private:
        friend class upload_budget;
        share(upload_budget* budget, std::uint64_t bytes) : budget_(budget), bytes_(bytes) {}
        upload_budget* budget_ = nullptr;
        std::uint64_t bytes_ = 0;
    };

    // Claims `bytes` for the upload named `name` (quoted in the reasons), given the bytes the file
    // system has `available` now. Throws files_error, before any byte is accepted, if the uploads
    // in flight would then declare more than max_in_flight, or if the bytes they declare would
    // leave less than min_free of `available`.
    share claim(const std::string& name, std::uint64_t bytes, std::uint64_t available);

    std::uint64_t in_flight() const;
    std::uint64_t max_in_flight() const { return max_in_flight_; }
    std::uint64_t min_free() const { return min_free_; }

private:
    void give_back(std::uint64_t bytes) noexcept;

    const std::uint64_t max_in_flight_;
    const std::uint64_t min_free_;
    mutable std::mutex mutex_;  // guards one counter: never held across a system call
    std::uint64_t in_flight_ = 0;
};

}  // namespace netkit::files
