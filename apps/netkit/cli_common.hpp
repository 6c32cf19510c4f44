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
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace netkit::cli {

namespace po = boost::program_options;

// Thrown for a usage error: main prints it with a hint to --help and exits with status 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses `a` against `options` (+ --help) and positional names. Returns an exit status when the
// command should end now (help printed), nullopt to carry on. Throws usage_error on bad input.
// When `options` has --config (every serve command) and it is given, the file's settings fill in
// what the command line left out; a bad key or value there names the file and the line.
std::optional<int> parse(const args& a, const std::string& usage, const std::string& summary,
                         po::options_description& options, po::variables_map& vm,
                         const po::positional_options_description* positional = nullptr);

// --config FILE: the path, and which options the command line gave (they win over the file, also
// when SIGHUP re-reads it).
struct config_source {
    std::string path;
    std::set<std::string> command_line_keys;
};
void validate(boost::any& value, const std::vector<std::string>& tokens, config_source*, int);

// One `name = value` setting of a config file (Program_options syntax: '#' starts a comment,
// [section] prefixes the names that follow with "section.") and the line it is on.
struct config_entry {
    std::string key;
    std::string value;
    int line = 0;
};
// Every setting of `path`; throws usage_error naming the file and line for a malformed line, or
// naming the file when it cannot be read.
std::vector<config_entry> read_config_file(const std::string& path);

struct server_settings {
    config_source config;
    std::string log_format = "text";
    std::string bind = "127.0.0.1";
    unsigned threads = 0;  // 0: one per core
    std::size_t max_connections = 10000;
    std::size_t max_per_address = 256;
    std::string log_level = "info";
    double grace_seconds = 2.0;
    std::optional<std::uint16_t> metrics_port;  // --metrics-port: off unless given
};

// --config, --bind, --threads, --max-connections, --max-per-address, --log-level, --log-format,
// --grace, --metrics-port.
void add_server_options(po::options_description& options, server_settings& s);

// A TCP listener's options from the common settings: every serve command builds its listeners
// here, so no limit is forgotten on one of them.
tcp_server_options listener(const server_settings& s, std::uint16_t port, std::string label = {});
log_level parse_level(const std::string& text);

// The logger a serve command runs with: level and format from the settings, timestamps off when
// standard error goes to journald (it stamps records itself).
log_style style_of(const server_settings& s);

// With --metrics-port, turns the host's metrics on and returns its registry (nullptr without): call
// it before adding the listeners, so that they are counted, and give it to the services.
metrics::registry* enable_metrics(server_host& host, const server_settings& s);

// Raises the open-file limit, adds the --metrics-port listener (last, after the service's own), runs `host` until a signal, returns the exit status. With --config,
// SIGHUP re-reads the file's log-level (unless the command line set it).
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

// A port option that is off unless given: `target` stays nullopt then.
po::typed_value<std::string>* optional_port(std::optional<std::uint16_t>& target, const std::string& option);

// A port option (0 to 65535), e.g. ("port", cli::port(port, "--port"), "port to listen on").
po::typed_value<std::string>* port(std::uint16_t& target, const std::string& option);

}  // namespace netkit::cli
