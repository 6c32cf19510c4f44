// `netkit echo HOST PORT [TEXT...]`: send TEXT (or standard input) and print what comes back.
#include "cli_common.hpp"

#include <netkit/write_fd.hpp>

#include <unistd.h>

#include <iostream>
#include <thread>

namespace netkit::cli {

namespace {

std::string joined(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
    return text;
}

int tcp_echo(const std::string& host, const std::string& port, const std::vector<std::string>& text) {
    asio::io_context io;
    tcp::socket socket = connect_tcp(io, host, port);
    const int fd = socket.native_handle();
    // A second thread sends while this one receives: a large input would otherwise fill both
    // directions' buffers and deadlock.
    std::jthread sender([fd, &text] {
        if (!text.empty()) {
            const std::string line = joined(text) + "\n";
            write_fd(fd, line);
        } else {
            char chunk[16384];
            for (;;) {
                const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0 || !write_fd(fd, {chunk, static_cast<std::size_t>(n)})) break;
            }
        }
        ::shutdown(fd, SHUT_WR);
    });
    char chunk[16384];
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        if (ec == asio::error::eof) break;
        if (ec) throw std::runtime_error("connection to " + host + ":" + port + " lost: " + ec.message());
        if (!write_fd(STDOUT_FILENO, {chunk, n})) break;
    }
    return 0;
}

int udp_echo(const std::string& host, const std::string& port, const std::vector<std::string>& text,
             std::chrono::milliseconds timeout) {
    asio::io_context io;
    const udp::endpoint server = resolve_udp(io, host, port);
    udp::socket socket(io, server.protocol());
    std::vector<std::string> payloads;
    if (!text.empty()) {
        payloads.push_back(joined(text));
    } else {
        for (std::string line; std::getline(std::cin, line);) payloads.push_back(line);
    }
    for (const auto& p : payloads) {
        auto reply = udp_exchange(io, socket, server, p, timeout);
        if (!reply) throw std::runtime_error("no reply from " + host + ":" + port + " (UDP) within the timeout");
        std::cout << *reply << "\n" << std::flush;
    }
    return 0;
}

}  // namespace

int echo_client(const args& a) {
    std::string host, port;
    std::vector<std::string> text;
    bool udp_mode = false;
    double timeout = 2.0;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port")
        ("text", po::value(&text)->multitoken(), "text to send (default: standard input)")
        ("udp", po::bool_switch(&udp_mode), "send datagrams: one per line of input")
        ("timeout", po::value(&timeout)->default_value(timeout), "seconds to wait for a UDP reply");
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1).add("text", -1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit echo HOST PORT [TEXT...] [--udp]",
                          "Sends TEXT (or standard input) to an echo server and prints what comes "
                          "back. Over TCP the sending side is closed at the end of input and the "
                          "client exits when the server has echoed everything.",
                          options, vm, &positional))
        return *done;
    const auto wait = seconds_option(timeout, "--timeout", false);
    return udp_mode ? udp_echo(host, port, text, wait) : tcp_echo(host, port, text);
}

}  // namespace netkit::cli
