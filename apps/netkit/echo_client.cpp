// `netkit echo HOST PORT [TEXT...]`: send TEXT (or standard input) and print what comes back.
#include "cli_common.hpp"
#include "tls_client_options.hpp"

#include <netkit/client_connection.hpp>

#include <netkit/write_fd.hpp>

#include <poll.h>
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

// Over TLS one OpenSSL connection must not be read and written from two threads, so one thread
// polls the socket and standard input instead: input is read only when the previous piece has
// been sent, and echoed bytes are taken whenever they arrive, so neither side's buffers can fill
// up and deadlock.
int tls_echo(client_connection c, const std::string& where, const std::vector<std::string>& text) {
    std::string pending = text.empty() ? std::string() : joined(text) + "\n";
    bool input_ended = !text.empty();
    bool sent_end = false;
    char chunk[16384];
    for (;;) {
        boost::system::error_code ec;
        bool want_write = false;
        for (;;) {
            const std::size_t n = c.read_some_now(asio::buffer(chunk), ec);
            if (ec == asio::error::would_block) break;
            if (ec == asio::error::eof) return 0;
            if (ec) throw std::runtime_error("connection to " + where + " lost: " + ec.message());
            if (!write_fd(STDOUT_FILENO, {chunk, n})) return 0;
        }
        want_write = c.wants_write();
        while (!pending.empty()) {
            const std::size_t n = c.write_some_now(asio::buffer(pending), ec);
            if (ec == asio::error::would_block) break;
            if (ec) throw std::runtime_error("connection to " + where + " lost: " + ec.message());
            pending.erase(0, n);
        }
        if (pending.empty() && input_ended && !sent_end) {
            c.shutdown_send_now(ec);
            if (!ec) sent_end = true;
            else if (ec != asio::error::would_block)
                throw std::runtime_error("connection to " + where + " lost: " + ec.message());
        }
        if (!pending.empty() || (input_ended && !sent_end)) want_write = want_write || c.wants_write();
        const bool read_input = pending.empty() && !input_ended;
        pollfd fds[2] = {{c.native_handle(), static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0},
                         {read_input ? STDIN_FILENO : -1, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
        if (fds[1].revents != 0) {
            const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
            if (n > 0) pending.assign(chunk, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR) input_ended = true;
        }
    }
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
    tls::client_options tls;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port")
        ("text", po::value(&text)->multitoken(), "text to send (default: standard input)")
        ("udp", po::bool_switch(&udp_mode), "send datagrams: one per line of input")
        ("timeout", po::value(&timeout)->default_value(timeout), "seconds to wait for a UDP reply");
    add_tls_client_options(options, tls);
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1).add("text", -1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit echo HOST PORT [TEXT...] [--udp | --tls [--ca FILE]]",
                          "Sends TEXT (or standard input) to an echo server and prints what comes "
                          "back. Over TCP the sending side is closed at the end of input and the "
                          "client exits when the server has echoed everything.",
                          options, vm, &positional))
        return *done;
    const auto wait = seconds_option(timeout, "--timeout", false);
    tls = tls_client_settings(tls);
    if (udp_mode && tls.enabled) throw usage_error("--tls is for TCP: UDP echo has no TLS");
    if (tls.enabled) {
        asio::io_context io;
        return tls_echo(connect_client(io, host, port, tls), host + ":" + port, text);
    }
    return udp_mode ? udp_echo(host, port, text, wait) : tcp_echo(host, port, text);
}

}  // namespace netkit::cli
