// "redis://HOST[:PORT][/PATH]" as a plain value; HOST may be a bracketed IPv6 address. What PATH
// means is the user's business (the chat bus takes it as its channel prefix).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::redis {

struct url {
    std::string host;
    std::uint16_t port = 6379;
    std::string path;  // after the '/', possibly empty
};

// nullopt with `error` set (saying what is wrong, quoting the input) for anything else.
std::optional<url> parse_url(std::string_view text, std::string& error);

// "host:port", or "[v6]:port", for log records.
std::string address(const std::string& host, std::uint16_t port);

}  // namespace netkit::redis
