// SHA-256 through OpenSSL's EVP interface, behind a small class so no OpenSSL header leaks into
// netkit's public headers.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace netkit::files {

class sha256 {
public:
    sha256();
    ~sha256();
    sha256(sha256&&) noexcept;
    sha256& operator=(sha256&&) noexcept;

    void update(std::span<const char> bytes);
    // The digest of everything updated so far, as 64 lowercase hex digits; starts a new hash.
    std::string hex_digest();

    static std::string hex_of(std::span<const char> bytes);

private:
    struct context;
    std::unique_ptr<context> context_;
};

// Hashes the first `size` bytes of the open file `fd` with pread (the file offset is untouched, so
// another reader may share the descriptor). Returns an empty string if `abandon` becomes true
// before the end; throws std::system_error if the file cannot be read or is shorter than `size`.
std::string sha256_of_file(int fd, std::uint64_t size, const std::atomic<bool>* abandon = nullptr);

}  // namespace netkit::files
