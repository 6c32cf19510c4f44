// The directory the file service serves. Every access goes through the directory's descriptor with
// openat/renameat and O_NOFOLLOW, on names checked by file_name_problem(): nothing outside the
// directory is ever read or written, and a symlink planted inside it is never followed.
#pragma once

#include <netkit/files/stored_file.hpp>
#include <netkit/files/unique_fd.hpp>
#include <netkit/files/upload.hpp>
#include <netkit/files/upload_budget.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace netkit::files {

struct readable_file {
    unique_fd fd;
    std::uint64_t size = 0;
};

// Thread-safe: every member works on its own descriptors.
class file_store {
public:
    // Creates `dir` (and its parents) if missing and opens it. Throws std::system_error naming it.
    // `max_in_flight` and `min_free` make the upload_budget every upload claims its size from.
    file_store(const std::filesystem::path& dir, std::uint64_t max_file_size,
               std::uint64_t max_in_flight = UINT64_MAX, std::uint64_t min_free = 0);

    const std::filesystem::path& path() const { return path_; }
    std::uint64_t max_file_size() const { return max_file_size_; }

    // The regular file `name` (not a symlink, fifo, device or directory), open for reading.
    // Throws files_error.
    readable_file open(std::string_view name) const;

    // Checks the name and the size limit, claims `size` bytes from the budget (refused if the
    // uploads in flight would declare too much, or eat into the free-space margin), then creates
    // the temporary file. No block is reserved yet: the upload reserves them as its data arrives.
    // Throws files_error.
    upload begin_upload(std::string_view name, std::uint64_t size, digest_kind digest = digest_kind::sha256);

    // The bytes declared by the uploads in progress, and their limits.
    const upload_budget& budget() const { return budget_; }

    // The regular files whose names a client could ask for, sorted by name; symlinks, hidden
    // files, directories and the like are skipped.
    std::vector<stored_file> list() const;

    // Removes the temporary files of uploads interrupted by a crash of an earlier server (their
    // process is gone). Returns how many were removed.
    std::size_t remove_stale_uploads();

private:
    std::filesystem::path path_;
    unique_fd dir_;
    std::uint64_t max_file_size_;
    std::atomic<std::uint64_t> next_temp_{0};
    upload_budget budget_;
};

}  // namespace netkit::files
