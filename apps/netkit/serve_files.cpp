// `netkit serve files`: the lesson 002 exercise, a backup server clients copy files to and from.
#include "cli_common.hpp"

#include <netkit/endpoint.hpp>
#include <netkit/files/files_service.hpp>

#include <cctype>
#include <csignal>
#include <filesystem>
#include <limits>

namespace netkit::cli {

namespace {

// "4294967296", "4G", "512M", "64K" (powers of 1024).
std::uint64_t parse_file_size(const std::string& text) {
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
        throw usage_error("--max-file-size must be a byte count, optionally followed by K, M, G or T, not '" +
                          text + "'");
    return value * unit;
}

}  // namespace

int serve_files(const args& a) {
    server_settings s;
    std::uint16_t port = 32400;
    std::string dir = "netkit-files", max_size = "4G";
    double idle_seconds = 120;
    po::options_description options("options");
    options.add_options()
        ("dir", po::value(&dir)->default_value(dir), "directory holding the files (created if missing)")
        ("port", po::value(&port)->default_value(port), "port to listen on (0: any free port)")
        ("max-file-size", po::value(&max_size)->default_value(max_size),
         "largest file a client may store: bytes, or with a K, M, G or T suffix (powers of 1024)")
        ("idle-timeout", po::value(&idle_seconds)->default_value(idle_seconds),
         "seconds a connection may move no byte before it is closed (a stalled upload is discarded)");
    add_server_options(options, s);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve files [options]",
                          "Stores and serves files in one directory. Requests are lines: 'PUT <name> <size>' "
                          "then the bytes, 'GET <name>', 'LIST' (see docs/files-protocol.md). A file "
                          "appears under its name only once complete and flushed to disk; names cannot "
                          "reach outside the directory. There is no authentication: anyone who can "
                          "connect can read and replace every file.",
                          options, vm))
        return *done;
    const auto idle_timeout = seconds_option(idle_seconds, "--idle-timeout", false);

    logger log(parse_level(s.log_level));
    // With a file size limit (ulimit -f) a write past it raises SIGXFSZ, which would end the
    // server; ignored, the write fails with EFBIG and only that upload is refused.
    std::signal(SIGXFSZ, SIG_IGN);
    files_service service({.dir = dir,
                           .max_file_size = parse_file_size(max_size),
                           .idle_timeout = idle_timeout},
                          log);
    server_host host(log);
    host.add_tcp(listener(s, port),
                 service.session_factory());
    if (!parse_address(s.bind).is_loopback())
        log.warn("listening on ", s.bind, " without authentication: anyone who can connect can read and replace the files in ",
                 dir);
    log.info("serving the files in ", std::filesystem::absolute(dir).string());
    return run_host(host, s);
}

}  // namespace netkit::cli
