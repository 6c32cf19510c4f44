#include <netkit/files/digest.hpp>

#include <netkit/files/sha256.hpp>

#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace netkit::files {

struct digest::engine {
    virtual ~engine() = default;
    virtual void update(std::span<const char> bytes) = 0;
    virtual std::string hex_digest() = 0;
};

namespace {

class sha256_engine final : public digest::engine {
public:
    void update(std::span<const char> bytes) override { hash_.update(bytes); }
    std::string hex_digest() override { return hash_.hex_digest(); }

private:
    sha256 hash_;
};

class xxh128_engine final : public digest::engine {
public:
    xxh128_engine() : state_(XXH3_createState()) {
        if (!state_ || XXH3_128bits_reset(state_) != XXH_OK) {
            XXH3_freeState(state_);
            throw std::runtime_error("xxHash cannot start an XXH3-128 digest");
        }
    }
    ~xxh128_engine() override { XXH3_freeState(state_); }
    xxh128_engine(const xxh128_engine&) = delete;
    xxh128_engine& operator=(const xxh128_engine&) = delete;

    void update(std::span<const char> bytes) override {
        if (XXH3_128bits_update(state_, bytes.data(), bytes.size()) != XXH_OK)
            throw std::runtime_error("xxHash XXH3-128 update failed");
    }
    std::string hex_digest() override {
        XXH128_canonical_t canonical;
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state_));
        XXH3_128bits_reset(state_);
        static constexpr char hex[] = "0123456789abcdef";
        std::string text;
        for (const unsigned char byte : canonical.digest) {
            text.push_back(hex[byte >> 4]);
            text.push_back(hex[byte & 0xf]);
        }
        return text;
    }

private:
    XXH3_state_t* state_;
};

}  // namespace

digest::digest(digest_kind kind)
    : kind_(kind),
      engine_(kind == digest_kind::xxh128 ? std::unique_ptr<engine>(std::make_unique<xxh128_engine>())
                                          : std::make_unique<sha256_engine>()) {}
digest::~digest() = default;
digest::digest(digest&&) noexcept = default;
digest& digest::operator=(digest&&) noexcept = default;

void digest::update(std::span<const char> bytes) { engine_->update(bytes); }
std::string digest::hex_digest() { return engine_->hex_digest(); }

std::string digest::hex_of(digest_kind kind, std::span<const char> bytes) {
    digest d(kind);
    d.update(bytes);
    return d.hex_digest();
}

std::string digest_of_file(digest_kind kind, int fd, std::uint64_t size, const std::atomic<bool>* abandon) {
    digest d(kind);
    std::vector<char> chunk(1 << 20);
    std::uint64_t offset = 0;
    while (offset < size) {
        if (abandon && abandon->load(std::memory_order_relaxed)) return {};
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - offset));
        const ssize_t n = ::pread(fd, chunk.data(), want, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::system_category(), "reading the file to hash it");
        if (n == 0) throw std::runtime_error("the file became shorter while it was being hashed");
        d.update(std::span<const char>(chunk.data(), static_cast<std::size_t>(n)));
        offset += static_cast<std::uint64_t>(n);
    }
    return d.hex_digest();
}

}  // namespace netkit::files
