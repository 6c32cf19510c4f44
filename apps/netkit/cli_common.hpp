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
#include <type_traits>

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
    std::size_t max_per_address = 256;
    std::string log_level = "info";
    double grace_seconds = 2.0;
};

// --bind, --threads, --max-connections, --max-per-address, --log-level, --grace.
void add_server_options(po::options_description& options, server_settings& s);

// A TCP listener's options from the common settings: every serve command builds its listeners
// here, so no limit is forgotten on one of them.
tcp_server_options listener(const server_settings& s, std::uint16_t port, std::string label = {});
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

// A whole decimal number from `min` to `max`, or a usage_error naming `option` ("-1", "1e3",
// "12abc", "" and out-of-range values are all refused).
std::uint64_t parse_number(const std::string& text, std::uint64_t min, std::uint64_t max,
                           const std::string& option);

// The value of a whole-number option, checked against [min, max] when the options are notified.
// Program_options alone turns "-1" into 2^64-1 for an unsigned option; this refuses it, e.g.
//   ("max-queue", cli::number(o.max_queue, 1, 1ULL << 40, "--max-queue"), "...")
template <class T>
po::typed_value<std::string>* number(T& target, std::uint64_t min, std::uint64_t max,
                                     const std::string& option) {
    static_assert(std::is_unsigned_v<T>, "numeric options are counts, sizes or ports");
    return po::value<std::string>()
        ->default_value(std::to_string(target))
        ->value_name("N")
        ->notifier([&target, min, max, option](const std::string& text) {
            target = static_cast<T>(parse_number(text, min, max, option));
        });
}

// A port option (0 to 65535), e.g. ("port", cli::port(port, "--port"), "port to listen on").
po::typed_value<std::string>* port(std::uint16_t& target, const std::string& option);

}  // namespace netkit::cli
