// The shared secret of a command server: read from a file, compared in constant time.
#pragma once

#include <string>
#include <string_view>

namespace netkit::exec {

// The first line of the file (a trailing "\n" or "\r\n" is not part of the token). Throws
// std::runtime_error naming the file when it cannot be read or the token is empty.
std::string read_token_file(const std::string& path);

// Compares SHA-256 digests of both strings with CRYPTO_memcmp, so the time taken reveals neither
// the matching prefix nor the token's length.
bool token_equals(std::string_view expected, std::string_view given);

}  // namespace netkit::exec
