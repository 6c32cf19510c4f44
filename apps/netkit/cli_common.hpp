// What the `netkit` subcommands share: option parsing with --help and clear errors, the common
// server options, and connecting a client.
#pragma once

#include "commands.hpp"

#include <netkit/asio.hpp>
#include <netkit/connect.hpp>
#include <netkit/log.hpp>
#include <netkit/server_host.hpp>

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace netkit::cli {

namespace po = boost::program_options;

// Thrown for a usage error: main prints it with a hint to --help and exits with status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses `a` against `options` (+ --help) and positional names. Returns an exit status when the
// command should end now (help printed), nullopt to carry on. Throws usage_error on bad input.
std::optional<int> parse(const args& a, const std::string& usage, const std::string& summary,
                         po::options_description& options, po::variables_map& vm,
                         const po::positional_options_description* positional = nullptr);

struct server_settings {
    std::string bind = "127.0.0.1";
    unsigned threads = 0;  // 0: one per core
    std::size_t max_connections = 10000;
    std::string log_level = "info";
    double grace_seconds = 2.0;
};

// --bind, --threads, --max-connections, --log-level, --grace.
void add_server_options(po::options_description& options, server_settings& s);
log_level parse_level(const std::string& text);

// Raises the open-file limit, runs `host` until a signal, returns the exit status.
int run_host(server_host& host, const server_settings& s);

udp::endpoint resolve_udp(asio::io_context& io, const std::string& host, const std::string& port);

// Sends one datagram and waits up to `timeout` for the answer (nullopt when none came).
std::optional<std::string> udp_exchange(asio::io_context& io, udp::socket& socket,
                                        const udp::endpoint& server, const std::string& payload,
                                        std::chrono::milliseconds timeout);

// A duration option given in seconds (fractions allowed) as milliseconds. Negative, NaN or huge
// values are a usage_error naming the option, never an overflowing conversion; 0 passes only if
// `zero_allowed`.
std::chrono::milliseconds seconds_option(double seconds, const std::string& option, bool zero_allowed);

// "1234" -> 1234, or usage_error naming the option.
std::uint16_t parse_port(const std::string& text, const std::string& what);

}  // namespace netkit::cli
