// Redis-style protected mode for the command server: which bind addresses need a token.
#pragma once

#include <netkit/asio.hpp>

#include <optional>
#include <string>

namespace netkit::exec {

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z).
bool is_loopback(const asio::ip::address& address);

// Why listening on `bind` is refused, or nullopt when it is acceptable: a non-loopback address
// (including 0.0.0.0 and ::) needs a token, or anyone who can reach it could run commands.
std::optional<std::string> exposure_problem(const asio::ip::address& bind, bool has_token);

}  // namespace netkit::exec
