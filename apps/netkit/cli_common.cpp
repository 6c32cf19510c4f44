#include "cli_common.hpp"

#include <netkit/endpoint.hpp>
#include <netkit/runtime.hpp>
#include <netkit/version.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>

namespace netkit::cli {

namespace {

// systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the journal stream it connects to stderr.
bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (!stream || ::fstat(STDERR_FILENO, &st) != 0) return false;
    return std::string(stream) == std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t\r") - first + 1));
}

std::string where(const std::string& path, int line) { return path + ":" + std::to_string(line) + ": "; }

// Fills in from the config file what the command line left out. Program_options' own
// parse_config_file forgets line numbers, so the file is read here and each error is traced back
// to the line that caused it.
void merge_config_file(const po::options_description& options, po::variables_map& vm) {
    auto& source = boost::any_cast<config_source&>(vm.at("config").value());
    for (const auto& [key, value] : vm)
        if (!value.defaulted()) source.command_line_keys.insert(key);

    const auto entries = read_config_file(source.path);
    std::map<std::string, int> line_of;  // the last line of each key, for errors about a key
    po::parsed_options parsed(&options);
    for (const auto& e : entries) {
        const auto* d = options.find_nothrow(e.key, false);
        if (!d || e.key == "config" || e.key == "help" || e.key == "version")
            throw usage_error(where(source.path, e.line) + "unknown option '" + e.key + "'");
        line_of[e.key] = e.line;
        po::option o(e.key, {e.value});
        o.original_tokens = {e.key, e.value};
        parsed.options.push_back(std::move(o));
    }
    const auto line_for = [&](const std::string& name) {
        for (const auto& [key, line] : line_of)
            if (name == key || name == "--" + key) return where(source.path, line);
        return source.path + ": ";
    };
    try {
        po::store(parsed, vm);  // keys the command line set are final there: skipped
    } catch (const po::error_with_option_name& e) {
        throw usage_error(line_for(e.get_option_name()) + e.what());
    }
    // Check the file's values one by one (numbers, ports and addresses validate in notifiers), so
    // a bad one is reported with its line; po::notify below then sets every target.
    for (const auto& [key, line] : line_of) {
        if (source.command_line_keys.count(key)) continue;
        try {
            options.find(key, false).semantic()->notify(vm.at(key).value());
        } catch (const std::exception& e) {
            throw usage_error(where(source.path, line) + e.what());
        }
    }
}

}  // namespace

void validate(boost::any& value, const std::vector<std::string>& tokens, config_source*, int) {
    po::validators::check_first_occurrence(value);
    value = config_source{.path = po::validators::get_single_string(tokens), .command_line_keys = {}};
}

std::vector<config_entry> read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw usage_error("cannot read config file " + path + ": " + std::strerror(errno));
    std::vector<config_entry> entries;
    std::string prefix, text;
    for (int line = 1; std::getline(in, text); ++line) {
        if (const auto hash = text.find('#'); hash != std::string::npos) text.erase(hash);
        const std::string s = trim(text);
        if (s.empty()) continue;
        if (s.front() == '[' && s.back() == ']') {
            prefix = trim(std::string_view(s).substr(1, s.size() - 2)) + ".";
            continue;
        }
        const auto eq = s.find('=');
        if (eq == std::string::npos || trim(std::string_view(s).substr(0, eq)).empty())
            throw usage_error(where(path, line) + "expected 'name = value', not '" + s + "'");
        entries.push_back({prefix + trim(std::string_view(s).substr(0, eq)),
                           trim(std::string_view(s).substr(eq + 1)), line});
    }
    if (in.bad()) throw usage_error("cannot read config file " + path);
    return entries;
}

std::optional<int> parse(const args& a, const std::string& usage, const std::string& summary,
                         po::options_description& options, po::variables_map& vm,
                         const po::positional_options_description* positional) {
    options.add_options()("help,h", "show this help and exit")("version", "print netkit's version and exit");
    try {
        po::command_line_parser parser(a);
        parser.options(options);
        if (positional) parser.positional(*positional);
        po::store(parser.run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: " << usage << "\n\n" << summary << "\n\n" << options << std::flush;
            return 0;
        }
        if (vm.count("version")) {
            std::cout << "netkit " << netkit::version << std::endl;
            return 0;
        }
        if (vm.count("config")) merge_config_file(options, vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error(e.what());
    }
    return std::nullopt;
}

void add_server_options(po::options_description& options, server_settings& s) {
    options.add_options()
        ("config", po::value(&s.config)->value_name("FILE"),
         "read settings from FILE, one 'option = value' per line ('#' comments); options given "
         "on the command line win. SIGHUP re-reads its log-level")
        ("bind", po::value(&s.bind)->default_value(s.bind)->notifier([](const std::string& text) {
             boost::system::error_code ec;
             asio::ip::make_address(text, ec);
             if (ec) throw usage_error("--bind must be an IPv4 or IPv6 address, not '" + text + "'");
         }),
         "address to listen on; 127.0.0.1 keeps the service local, :: listens on every IPv6 and "
         "IPv4 address")
        ("threads", number(s.threads, 0, 1024, "--threads"),
         "threads running the io_context (0: one per core; at most 1024)")
        ("max-connections", number(s.max_connections, 1, 1'000'000, "--max-connections"),
         "connections over this number are closed at once and logged (1 to 1000000)")
        ("max-per-address", number(s.max_per_address, 0, 1'000'000, "--max-per-address"),
         "connections one client address (IPv6: one /64) may hold open; more are closed at once "
         "and logged (0: no limit)")
        ("log-level", po::value(&s.log_level)->default_value(s.log_level)->notifier([](const std::string& text) {
             parse_level(text);
         }),
         "debug, info, warn, error or off (records go to stderr)")
        ("log-format", po::value(&s.log_format)->default_value(s.log_format)->notifier([](const std::string& text) {
             if (!parse_log_format(text)) throw usage_error("--log-format must be text or json, not '" + text + "'");
         }),
         "text, or json: one JSON object per line (time, level, message); timestamps are left "
         "out when standard error is the systemd journal")
        ("grace", po::value(&s.grace_seconds)->default_value(s.grace_seconds)->notifier([](double seconds) {
             seconds_option(seconds, "--grace", true);
         }),
         "seconds sessions get to finish after SIGINT/SIGTERM before they are closed")
        ("metrics-port", optional_port(s.metrics_port, "--metrics-port"),
         "also serve GET /metrics (Prometheus text format) and GET /healthz over HTTP on this port, "
         "at --bind (0: any free port; off unless given)");
}

tcp_server_options listener(const server_settings& s, std::uint16_t port, std::string label) {
    return {.bind_address = s.bind,
            .port = port,
            .max_connections = s.max_connections,
            .max_per_address = s.max_per_address,
            .label = std::move(label)};
}

log_level parse_level(const std::string& text) {
    auto level = parse_log_level(text);
    if (!level) throw usage_error("--log-level must be debug, info, warn, error or off, not '" + text + "'");
    return *level;
}

log_style style_of(const server_settings& s) {
    return {.format = parse_log_format(s.log_format).value_or(log_format::text),
            .timestamps = !stderr_is_journal()};
}

metrics::registry* enable_metrics(server_host& host, const server_settings& s) {
    return s.metrics_port ? &host.enable_metrics() : nullptr;
}

int run_host(server_host& host, const server_settings& s) {
    if (s.metrics_port) host.add_metrics_listener(listener(s, *s.metrics_port, "metrics"));
    const auto grace = seconds_option(s.grace_seconds, "--grace", true);
    host.log().set_style(style_of(s));
    if (!s.config.path.empty() && !s.config.command_line_keys.count("log-level")) {
        host.on_reload([&log = host.log(), path = s.config.path] {
            std::string text = "info";  // the default, when the line was removed
            for (const auto& e : read_config_file(path))
                if (e.key == "log-level") text = e.value;
            log.set_threshold(parse_level(text));
            log.warn("log level ", text, " (from ", path, ")");
        });
    }
    raise_open_file_limit(host.log());
    const unsigned threads = s.threads == 0 ? default_thread_count() : s.threads;
    return host.run(threads, grace, std::cout);
}

std::chrono::milliseconds seconds_option(double seconds, const std::string& option, bool zero_allowed) {
    constexpr double max_seconds = 86400;
    const bool fits = zero_allowed ? seconds >= 0 : seconds > 0;  // false for NaN too
    if (!fits || seconds > max_seconds)
        throw usage_error(option + " must be " + (zero_allowed ? "from 0 to " : "more than 0 and at most ") +
                          std::to_string(static_cast<int>(max_seconds)) + " seconds");
    return std::chrono::milliseconds(static_cast<long>(seconds * 1000));
}

std::uint64_t parse_number(const std::string& text, std::uint64_t min, std::uint64_t max,
                           const std::string& option) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    // from_chars takes no sign and no spaces: "-1" and "+1" fail here instead of wrapping.
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || stop != end || value < min || value > max)
        throw usage_error(option + " must be a whole number from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", not '" + text + "'");
    return value;
}

po::typed_value<std::string>* port(std::uint16_t& target, const std::string& option) {
    return po::value<std::string>()
        ->default_value(std::to_string(target))
        ->value_name("PORT")
        ->notifier([&target, option](const std::string& text) { target = parse_port(text, option); });
}

po::typed_value<std::string>* optional_port(std::optional<std::uint16_t>& target, const std::string& option) {
    return po::value<std::string>()->value_name("PORT")->notifier(
        [&target, option](const std::string& text) { target = parse_port(text, option); });
}

std::uint16_t parse_port(const std::string& text, const std::string& what) {
    try {
        return netkit::parse_port(text);
    } catch (const std::invalid_argument&) {
        throw usage_error(what + " must be a port number from 0 to 65535, not '" + text + "'");
    }
}

udp::endpoint resolve_udp(asio::io_context& io, const std::string& host, const std::string& port) {
    boost::system::error_code ec;
    udp::resolver resolver(io);
    auto results = resolver.resolve(host, port, ec);
    if (ec || results.empty())
        throw std::runtime_error("cannot resolve " + host + ":" + port + ": " + ec.message());
    return results.begin()->endpoint();
}

// Sends one datagram and waits up to `timeout` for the answer.
std::optional<std::string> udp_exchange(asio::io_context& io, udp::socket& socket,
                                        const udp::endpoint& server, const std::string& payload,
                                        std::chrono::milliseconds timeout) {
    socket.send_to(asio::buffer(payload), server);
    std::string reply(65536, '\0');
    udp::endpoint from;
    std::optional<std::string> result;
    socket.async_receive_from(asio::buffer(reply), from, [&](boost::system::error_code ec, std::size_t n) {
        if (!ec) result = reply.substr(0, n);
    });
    io.restart();
    io.run_for(timeout);
    if (!result) {
        socket.cancel();
        io.restart();
        io.run();
    }
    return result;
}

}  // namespace netkit::cli
