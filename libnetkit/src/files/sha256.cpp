#include <netkit/files/sha256.hpp>

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace netkit {

struct sha256::context {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    context() {
        if (!md || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) {
            EVP_MD_CTX_free(md);
            throw std::runtime_error("OpenSSL cannot start a SHA-256 digest");
        }
    }
    ~context() { EVP_MD_CTX_free(md); }
    context(const context&) = delete;
    context& operator=(const context&) = delete;
};

sha256::sha256() : context_(std::make_unique<context>()) {}
sha256::~sha256() = default;
sha256::sha256(sha256&&) noexcept = default;
sha256& sha256::operator=(sha256&&) noexcept = default;

void sha256::update(std::span<const char> bytes) {
    if (EVP_DigestUpdate(context_->md, bytes.data(), bytes.size()) != 1)
        throw std::runtime_error("OpenSSL SHA-256 update failed");
}

std::string sha256::hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->md, digest, &length) != 1 ||
        EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL SHA-256 final failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        text.push_back(hex[digest[i] >> 4]);
        text.push_back(hex[digest[i] & 0xf]);
    }
    return text;
}

std::string sha256::hex_of(std::span<const char> bytes) {
    sha256 h;
    h.update(bytes);
    return h.hex_digest();
}

std::string sha256_of_file(int fd, std::uint64_t size, const std::atomic<bool>* abandon) {
    sha256 h;
    std::vector<char> chunk(1 << 20);
    std::uint64_t offset = 0;
    while (offset < size) {
        if (abandon && abandon->load(std::memory_order_relaxed)) return {};
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - offset));
        const ssize_t n = ::pread(fd, chunk.data(), want, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::system_category(), "reading the file to hash it");
        if (n == 0) throw std::runtime_error("the file became shorter while it was being hashed");
        h.update(std::span<const char>(chunk.data(), static_cast<std::size_t>(n)));
        offset += static_cast<std::uint64_t>(n);
    }
    return h.hex_digest();
}

}  // namespace netkit
