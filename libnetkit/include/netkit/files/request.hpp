// The request lines of the file service: `PUT <name> <size>`, `GET <name>`, `LIST`.
// Pure parsing, no socket: see docs/files-protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netkit {

// A longer line is refused and the connection closed: the longest valid one ("PUT ", a 255-byte
// name, a space, a 20-digit size) is under 300 bytes.
inline constexpr std::size_t max_request_line = 1024;

struct files_request {
    enum class verb { put, get, list };
    verb what = verb::list;
    std::string name;        // PUT and GET
    std::uint64_t size = 0;  // PUT
};

// Parses one line without its "\n" (a trailing "\r" from telnet-style clients is dropped). Names
// may contain spaces: in PUT the size is the last space-separated field and the name is everything
// between "PUT " and that space. Throws files_error with the reason for anything malformed,
// bad names included.
files_request parse_files_request(std::string_view line);

// "1234" -> 1234; nullopt unless `text` is decimal digits only, fitting in 64 bits.
std::optional<std::uint64_t> parse_byte_count(std::string_view text);

}  // namespace netkit
