// Parsing and printing of addresses and endpoints, shared by servers and clients.
#pragma once

#include <netkit/asio.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace netkit {

// Parses a numeric IPv4/IPv6 address; throws std::invalid_argument with the bad text in the message.
asio::ip::address parse_address(std::string_view text);
// Parses a decimal port number from 0 to 65535; throws std::invalid_argument with the bad text
// ("70000" is an error, not port 4464).
std::uint16_t parse_port(std::string_view text);

// "127.0.0.1:80" or "[::1]:80".
std::string to_string(const tcp::endpoint& ep);
std::string to_string(const udp::endpoint& ep);

// Prints "listening on ADDR:PORT" (plus " (label)" when label is not empty) and flushes at once,
// so a script or test reading a pipe learns the real port as soon as the server accepts.
void announce_listening(std::ostream& out, const std::string& endpoint, std::string_view label);

}  // namespace netkit
