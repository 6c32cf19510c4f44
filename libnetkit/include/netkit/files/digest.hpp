// The checksum a transfer is verified with: SHA-256 (the protocol's original, and its default) or
// XXH3-128 (xxHash), which costs a fraction of SHA-256's CPU per byte. Both catch accidental
// corruption; only SHA-256 resists someone forging data to match, and neither replaces TLS.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace netkit::files {

enum class digest_kind { sha256, xxh128 };

// "sha256" / "xxh128": the word a request names the digest with.
std::string_view digest_name(digest_kind kind);
// The digest a word names, or nullopt for any other word.
std::optional<digest_kind> parse_digest_name(std::string_view word);

// One running digest of either kind, so the callers never branch on the algorithm.
class digest {
public:
    explicit digest(digest_kind kind);
    ~digest();
    digest(digest&&) noexcept;
    digest& operator=(digest&&) noexcept;

    digest_kind kind() const { return kind_; }
    void update(std::span<const char> bytes);
    // The digest of everything updated so far as lowercase hex (64 digits for SHA-256, 32 for
    // XXH3-128 in xxHash's canonical big-endian order, as `xxh128sum` prints it); starts anew.
    std::string hex_digest();

    static std::string hex_of(digest_kind kind, std::span<const char> bytes);

    struct engine;  // the algorithm behind it, defined in digest.cpp

private:
    digest_kind kind_;
    std::unique_ptr<engine> engine_;
};

// The digest of the first `size` bytes of the open file `fd`, read with pread (the file offset is
// untouched). Empty if `abandon` becomes true before the end; throws std::system_error if the file
// cannot be read, std::runtime_error if it is shorter than `size`.
std::string digest_of_file(digest_kind kind, int fd, std::uint64_t size, const std::atomic<bool>* abandon = nullptr);

}  // namespace netkit::files
