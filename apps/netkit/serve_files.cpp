// `netkit serve files`: the lesson 002 exercise, a backup server clients copy files to and from.
#include "cli_common.hpp"
#include "tls_server_options.hpp"

#include <netkit/endpoint.hpp>
#include <netkit/files/files_service.hpp>
#include <netkit/files/files_session.hpp>

#include <cctype>
#include <csignal>
#include <filesystem>
#include <limits>

namespace netkit::cli {

namespace {

// "4294967296", "4G", "512M", "64K" (powers of 1024), or a usage_error naming `option`.
std::uint64_t parse_byte_size(const std::string& text, const std::string& option) {
    std::uint64_t value = 0, unit = 1;
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
    const std::string suffix = text.substr(digits);
    if (suffix == "K") unit = 1ULL << 10;
    else if (suffix == "M") unit = 1ULL << 20;
    else if (suffix == "G") unit = 1ULL << 30;
    else if (suffix == "T") unit = 1ULL << 40;
    else if (!suffix.empty()) digits = 0;
    try {
        if (digits > 0 && digits <= 19) value = std::stoull(text.substr(0, digits));
    } catch (const std::exception&) {
        digits = 0;
    }
    if (digits == 0 || digits > 19 || value > std::numeric_limits<std::int64_t>::max() / unit)
        throw usage_error(option + " must be a byte count, optionally followed by K, M, G or T, not '" +
                          text + "'");
    return value * unit;
}

}  // namespace

int serve_files(const args& a) {
    server_settings s;
    std::uint16_t port = 32400;
    std::string dir = "netkit-files", max_size = "4G", max_in_flight = "4G", min_free = "1G";
    double idle_seconds = 120, login_seconds = 30;
    tls_server_settings tls_settings;
    po::options_description options("options");
    options.add_options()
        ("dir", po::value(&dir)->default_value(dir), "directory holding the files (created if missing)")
        ("port", cli::port(port, "--port"), "port to listen on (0: any free port)")
        ("max-file-size", po::value(&max_size)->default_value(max_size),
         "largest file a client may store: bytes, or with a K, M, G or T suffix (powers of 1024)")
        ("max-in-flight", po::value(&max_in_flight)->default_value(max_in_flight),
         "bytes all uploads in progress may announce together (K, M, G, T suffixes); a PUT over it is "
         "refused as busy before any byte")
        ("min-free", po::value(&min_free)->default_value(min_free),
         "free space on the file system that uploads never take (K, M, G, T suffixes)")
        ("idle-timeout", po::value(&idle_seconds)->default_value(idle_seconds),
         "seconds a connection may move no byte before it is closed (a stalled upload is discarded)")
        ("login-timeout", po::value(&login_seconds)->default_value(login_seconds),
         "seconds a new connection has to send its first complete request before it is closed");
    add_server_options(options, s);
    add_tls_server_options(options, tls_settings);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve files [options]",
                          "Stores and serves files in one directory. Requests are lines: 'PUT <name> <size>' "
                          "then the bytes, 'GET <name>', 'LIST' (see docs/files-protocol.md). A file "
                          "appears under its name only once complete and flushed to disk; names cannot "
                          "reach outside the directory. There is no authentication: anyone who can "
                          "connect can read and replace every file. " + std::string(tls_server_help),
                          options, vm))
        return *done;
    const auto idle_timeout = seconds_option(idle_seconds, "--idle-timeout", false);
    const auto login_timeout = seconds_option(login_seconds, "--login-timeout", false);
    const std::uint64_t max_file_size = parse_byte_size(max_size, "--max-file-size");
    const std::uint64_t in_flight_limit = parse_byte_size(max_in_flight, "--max-in-flight");
    const std::uint64_t free_margin = parse_byte_size(min_free, "--min-free");
    if (in_flight_limit < max_file_size)
        throw usage_error("--max-in-flight (" + max_in_flight + ") must be at least --max-file-size (" + max_size +
                          "): a file that large could never be stored");

    const tls_listeners tls(tls_settings);
    logger log(parse_level(s.log_level));
    // With a file size limit (ulimit -f) a write past it raises SIGXFSZ, which would end the
    // server; ignored, the write fails with EFBIG and only that upload is refused.
    std::signal(SIGXFSZ, SIG_IGN);
    server_host host(log);
    std::optional<files::files_metrics> counted;
    auto* registry = enable_metrics(host, s);
    files::files_service service({.dir = dir,
                                  .max_file_size = max_file_size,
                                  .max_in_flight = in_flight_limit,
                                  .min_free = free_margin,
                                  .login_timeout = login_timeout,
                                  .idle_timeout = idle_timeout,
                                  .metrics = registry ? &counted.emplace(*registry) : nullptr},
                                 log);
    host.add_tcp(tls.apply(listener(s, port)), files::files_session_factory(service));
    tls.reload_on_sighup(host);
    if (!parse_address(s.bind).is_loopback())
        log.warn("listening on ", s.bind, " without authentication: anyone who can connect can read and replace the files in ",
                 dir);
    log.info("serving the files in ", std::filesystem::absolute(dir).string());
    return run_host(host, s);
}

}  // namespace netkit::cli
