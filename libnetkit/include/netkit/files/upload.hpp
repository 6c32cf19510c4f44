// One file being received: written to a hidden temporary file in the store's directory, then
// flushed and renamed into place. Until commit() the final name is untouched; an upload destroyed
// uncommitted (client gone, disk full, server stopping) removes its temporary file.
#pragma once

#include <netkit/files/sha256.hpp>
#include <netkit/files/unique_fd.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace netkit {

class upload {
public:
    // Made by file_store::begin_upload. `dir_fd` must stay open for the upload's lifetime.
    upload(int dir_fd, std::string temp_name, std::string name, unique_fd file, std::uint64_t size);
    ~upload();
    upload(upload&& other) noexcept;
    upload& operator=(upload&&) = delete;
    upload(const upload&) = delete;
    upload& operator=(const upload&) = delete;

    const std::string& name() const { return name_; }
    std::uint64_t size() const { return size_; }
    std::uint64_t remaining() const { return size_ - written_; }

    // Hashes and writes the next bytes (at most remaining()). Throws files_error if the file
    // system refuses any of them (disk full, quota, I/O error): a short write is a failure.
    void write(std::span<const char> bytes);

    // Once every byte is written: fsync the file, rename it over `name` (atomic: readers see the
    // old file or the new one, never a mix) and fsync the directory so the rename survives a crash.
    // Returns the SHA-256 of the content as hex. Blocks on the disk: call it off the I/O threads.
    // Throws files_error on failure (the temporary is then removed by the destructor).
    std::string commit();

private:
    int dir_fd_;
    std::string temp_name_;
    std::string name_;
    unique_fd file_;
    std::uint64_t size_;
    std::uint64_t written_ = 0;
    sha256 hash_;
    bool committed_ = false;
};

}  // namespace netkit
