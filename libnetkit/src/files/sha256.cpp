#include <netkit/files/sha256.hpp>

#include <netkit/files/digest.hpp>

#include <openssl/evp.h>

#include <stdexcept>

namespace netkit::files {

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
    return digest_of_file(digest_kind::sha256, fd, size, abandon);
}

}  // namespace netkit::files
