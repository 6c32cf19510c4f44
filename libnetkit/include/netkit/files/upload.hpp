// One file being received: written to a hidden temporary file in the store's directory, then
// flushed and renamed into place. Until commit() the final name is untouched; an upload destroyed
// uncommitted (client gone, disk full, server stopping) removes its temporary file. Either way its
// share of the upload budget goes back when it is destroyed.
#pragma once

#include <netkit/files/digest.hpp>
#include <netkit/files/unique_fd.hpp>
#include <netkit/files/upload_budget.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace netkit::files {

class upload {
public:
    // Made by file_store::begin_upload. `dir_fd` must stay open for the upload's lifetime.
    upload(int dir_fd, std::string temp_name, std::string name, unique_fd file, std::uint64_t size,
           digest_kind digest = digest_kind::sha256, upload_budget::share share = {});
    ~upload();
    upload(upload&& other) noexcept;
    upload& operator=(upload&&) = delete;
    upload(const upload&) = delete;
    upload& operator=(const upload&) = delete;

    const std::string& name() const { return name_; }
    std::uint64_t size() const { return size_; }
    std::uint64_t remaining() const { return size_ - written_; }
    // Bytes of disk reserved so far (fallocate): at most one step ahead of the bytes written.
    std::uint64_t reserved() const { return reserved_; }

    // How far ahead of the data blocks are reserved: big enough that fallocate is rare, small
    // enough that a stalled upload holds little disk.
    static constexpr std::uint64_t reserve_step = 8 << 20;

    // Hashes and writes the next bytes (at most remaining()), first reserving the next step of
    // blocks when they pass the reserved end. Throws files_error if the file system refuses any of
    // them (disk full, quota, I/O error): a short write is a failure.
    void write(std::span<const char> bytes);

    // Once every byte is written: fsync the file, rename it over `name` (atomic: readers see the
    // old file or the new one, never a mix) and fsync the directory so the rename survives a crash.
    // Returns the digest of the content as hex. Blocks on the disk: call it off the I/O threads.
    // Throws files_error on failure (the temporary is then removed by the destructor).
    std::string commit();

private:
    void reserve_next(std::uint64_t end);

    int dir_fd_;
    std::string temp_name_;
    std::string name_;
    unique_fd file_;
    std::uint64_t size_;
    std::uint64_t written_ = 0;
    std::uint64_t reserved_ = 0;
    digest hash_;
    upload_budget::share share_;
    bool committed_ = false;
};

}  // namespace netkit::files
