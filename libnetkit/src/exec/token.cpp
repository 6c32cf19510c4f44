#include <netkit/exec/token.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace netkit::exec {

std::string read_token_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read token file " + path + ": " + std::strerror(errno));
    std::string token;
    std::getline(in, token);
    if (!token.empty() && token.back() == '\r') token.pop_back();
    if (token.empty()) throw std::runtime_error("token file " + path + " has an empty first line");
    return token;
}

namespace {
std::array<unsigned char, EVP_MAX_MD_SIZE> digest(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed in OpenSSL");
    return out;
}
}  // namespace

bool token_equals(std::string_view expected, std::string_view given) {
    const auto a = digest(expected);
    const auto b = digest(given);
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace netkit::exec
