// The request lines of the file service: `PUT <name> <size> [digest]`, `GET <name> [digest]`, `LIST`.
// Pure parsing, no socket: see docs/files-protocol.md.
#pragma once

#include <netkit/files/digest.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::files {

// A longer line is refused and the connection closed: the longest valid one ("PUT ", a 255-byte
// name, a space, a 20-digit size, a digest word) is under 300 bytes.
inline constexpr std::size_t max_request_line = 1024;

struct files_request {
    enum class verb { put, get, list };
    verb what = verb::list;
    std::string name;        // PUT and GET
    std::uint64_t size = 0;  // PUT
    digest_kind digest = digest_kind::sha256;  // PUT and GET: the optional last word, else SHA-256
};

// Parses one line without its "\n" (a trailing "\r" from telnet-style clients is dropped). Names
// may contain spaces: in PUT the size is the last space-separated field and the name is everything
// between "PUT " and that space. An optional last word names the digest of the DONE line
// (`sha256` or `xxh128`): in PUT it is a word after the size (any other word there is refused as an
// unknown digest); in GET a last word `sha256` or `xxh128` is the digest, not part of the name.
// Throws files_error with the reason for anything malformed,
// bad names included.
files_request parse_files_request(std::string_view line);

// "1234" -> 1234; nullopt unless `text` is decimal digits only, fitting in 64 bits.
std::optional<std::uint64_t> parse_byte_count(std::string_view text);

}  // namespace netkit::files
