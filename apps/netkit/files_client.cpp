// `netkit put` and `netkit get`: copy a file to or from a file-copy server (`netkit serve files`),
// checking the digest the server reports (XXH3-128 by default, SHA-256 with --digest sha256). A
// progress bar is drawn when stderr is a terminal.
#include "cli_common.hpp"
#include "tls_client_options.hpp"

#include <netkit/client_connection.hpp>

#include <netkit/files/file_name.hpp>
#include <netkit/files/files_client.hpp>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace netkit::cli {

namespace {

std::string human(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
    char text[32];
    std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return text;
}

// "name  [#########...........]  45%  90.0 MiB / 200.0 MiB  812.4 MiB/s", redrawn in place at
// most ten times a second; nothing at all when stderr is not a terminal (a log, a pipe).
class progress_bar {
public:
    explicit progress_bar(std::string label)
        : enabled_(::isatty(STDERR_FILENO) == 1), label_(std::move(label)), start_(clock::now()) {
        if (label_.size() > 24) {
            label_.resize(21);
            label_ += "...";
        }
    }
    ~progress_bar() {
        if (drawn_) std::cerr << "\n" << std::flush;  // an error message then starts on its own line
    }
    progress_bar(const progress_bar&) = delete;
    progress_bar& operator=(const progress_bar&) = delete;

    files::files_client::progress callback() {
        if (!enabled_) return {};
        return [this](std::uint64_t done, std::uint64_t total) { draw(done, total); };
    }

private:
    using clock = std::chrono::steady_clock;

    void draw(std::uint64_t done, std::uint64_t total) {
        const auto now = clock::now();
        if (done < total && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        drawn_ = true;
        winsize ws{};
        const int columns = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
        const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const std::string numbers = "  " + std::to_string(static_cast<int>(fraction * 100)) + "%  " + human(double(done)) +
                                    " / " + human(double(total)) + "  " +
                                    (seconds > 0 ? human(static_cast<double>(done) / seconds) + "/s" : "");
        const int width = std::max(10, columns - static_cast<int>(label_.size() + numbers.size()) - 6);
        const int filled = static_cast<int>(fraction * width);
        std::string line = "\r" + label_ + "  [" + std::string(filled, '#') + std::string(width - filled, '.') + "]" + numbers;
        std::cerr << line << "   " << std::flush;  // the spaces wipe a longer previous line's end
    }

    bool enabled_;
    std::string label_;
    clock::time_point start_, last_;
    bool drawn_ = false;
};

// A file written beside the destination and renamed over it only when complete and verified:
// a failed download leaves the destination as it was.
class staged_output {
public:
    explicit staged_output(const std::filesystem::path& destination) : destination_(destination) {
        const auto dir = destination.has_parent_path() ? destination.parent_path() : std::filesystem::path(".");
        std::string pattern = (dir / ("." + destination.filename().string() + ".part-XXXXXX")).string();
        fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
        if (fd_ < 0) throw std::runtime_error("cannot create a file in " + dir.string() + ": " + std::strerror(errno));
        temp_ = pattern;
        const mode_t mask = ::umask(0);  // the process is single-threaded here
        ::umask(mask);
        ::fchmod(fd_, 0666 & ~mask);  // mkostemp creates 0600; a download gets the usual mode
    }
    ~staged_output() {
        if (fd_ >= 0) ::close(fd_);
        if (!temp_.empty()) ::unlink(temp_.c_str());
    }
    staged_output(const staged_output&) = delete;
    staged_output& operator=(const staged_output&) = delete;

    int fd() const { return fd_; }
    void commit() {
        const int result = ::close(std::exchange(fd_, -1));
        if (result != 0) throw std::runtime_error("cannot write " + destination_.string() + ": " + std::strerror(errno));
        if (::rename(temp_.c_str(), destination_.c_str()) != 0)
            throw std::runtime_error("cannot create " + destination_.string() + ": " + std::strerror(errno));
        temp_.clear();
    }

private:
    std::filesystem::path destination_;
    std::string temp_;
    int fd_ = -1;
};

// --digest: the checksum both ends compute; xxh128 unless told otherwise.
files::digest_kind digest_option(const std::string& word) {
    const auto kind = files::parse_digest_name(word);
    if (!kind) throw usage_error("--digest must be xxh128 or sha256, not '" + word + "'");
    return *kind;
}

const char* digest_help = "checksum both ends compute: xxh128 (XXH3-128, fast; catches accidental corruption) "
                          "or sha256 (also resists deliberate forgery)";

}  // namespace

int put_client(const args& a) {
    std::string host, port, file, name, digest = "xxh128";
    tls::client_options tls;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port (the lesson's is 32400)")
        ("file", po::value(&file)->required(), "the file to upload")
        ("name", po::value(&name), "the name to store it under (default: FILE's own name)")
        ("digest", po::value(&digest)->default_value(digest), digest_help);
    add_tls_client_options(options, tls);
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1).add("file", 1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit put HOST PORT FILE [--name N] [--digest xxh128|sha256] [--tls [--ca FILE]]",
                          "Uploads FILE to a file-copy server (netkit serve files), replacing any file of "
                          "that name, and checks the digest the server reports against the bytes sent.",
                          options, vm, &positional))
        return *done;
    parse_number(port, 1, 65535, "--port");
    const files::digest_kind kind = digest_option(digest);
    tls = tls_client_settings(tls);
    if (name.empty()) name = std::filesystem::path(file).filename().string();
    if (auto problem = files::file_name_problem(name); !problem.empty())
        throw usage_error("cannot store as '" + name + "': " + problem + " (choose a name with --name)");

    asio::io_context io;
    files::files_client client(connect_client(io, host, port, tls));
    client.use_digest(kind);
    files::transfer_result result;
    {
        progress_bar bar(name);
        result = client.put(file, name, bar.callback());
    }
    std::cout << "stored '" << name << "' on " << host << ":" << port << ": " << result.size << " bytes, "
              << files::digest_name(result.kind) << " " << result.digest << std::endl;
    return 0;
}

int get_client(const args& a) {
    std::string host, port, name, output, digest = "xxh128";
    tls::client_options tls;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port (the lesson's is 32400)")
        ("name", po::value(&name)->required(), "the stored file's name")
        ("output,o", po::value(&output),
         "where to save it: a file, or a directory to save NAME in; '-' writes to standard output "
         "(default: NAME in the current directory)")
        ("digest", po::value(&digest)->default_value(digest), digest_help);
    add_tls_client_options(options, tls);
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1).add("name", 1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit get HOST PORT NAME [-o FILE] [--digest xxh128|sha256] [--tls [--ca FILE]]",
                          "Downloads NAME from a file-copy server (netkit serve files) and checks the "
                          "digest the server reports. FILE is replaced only once the copy is complete "
                          "and verified.",
                          options, vm, &positional))
        return *done;
    parse_number(port, 1, 65535, "--port");
    const files::digest_kind kind = digest_option(digest);
    tls = tls_client_settings(tls);
    if (auto problem = files::file_name_problem(name); !problem.empty())
        throw usage_error("'" + name + "' cannot be a stored name: " + problem);
    if (output.empty()) output = name;
    const bool to_stdout = output == "-";
    if (!to_stdout && std::filesystem::is_directory(output)) output = (std::filesystem::path(output) / name).string();

    asio::io_context io;
    files::files_client client(connect_client(io, host, port, tls));
    client.use_digest(kind);
    files::transfer_result result;
    {
        progress_bar bar(name);
        if (to_stdout) {
            result = client.get(name, STDOUT_FILENO, bar.callback());
        } else {
            staged_output copy(output);
            result = client.get(name, copy.fd(), bar.callback());
            copy.commit();
        }
    }
    (to_stdout ? std::cerr : std::cout) << "saved '" << name << "' " << (to_stdout ? "to standard output" : "as " + output)
                                        << ": " << result.size << " bytes, " << files::digest_name(result.kind) << " "
                                        << result.digest << std::endl;
    return 0;
}

}  // namespace netkit::cli
