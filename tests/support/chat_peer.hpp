// A blocking chat client for tests, with a deadline on every read (poll + recv on the native
// socket): it speaks both protocols, so a test can read lines, frames or header-protocol events.
#pragma once

#include "support/pop_line.hpp"

#include <netkit/asio.hpp>
#include <netkit/framing/length_header.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace netkit::test {

class chat_peer {
public:
    explicit chat_peer(unsigned short port, int receive_buffer = 0) : socket_(io_) {
        socket_.open(tcp::v4());
        if (receive_buffer > 0) socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
        socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    }
    void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    void send_frame(const std::string& payload) { send(framing::length_frame(payload)); }
    void send_line(const std::string& text) { send(text + "\n"); }

    // Exactly n bytes, or nullopt when the connection ends or the deadline passes first.
    std::optional<std::string> read_exactly(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (pending_.size() < n)
            if (!fill(deadline)) return std::nullopt;
        std::string out = pending_.substr(0, n);
        pending_.erase(0, n);
        return out;
    }
    std::optional<std::string> line(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (auto l = pop_line(pending_)) return l;
            if (!fill(deadline)) return std::nullopt;
        }
    }
    std::optional<std::string> frame(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        auto header = read_exactly(framing::header_length, timeout);
        if (!header) return std::nullopt;
        const auto length = framing::parse_length_header(*header);
        if (!length) return std::nullopt;
        return read_exactly(*length, timeout);
    }
    // (name, text) as the header protocol delivers every event.
    std::optional<std::pair<std::string, std::string>> event(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        auto name = frame(timeout);
        if (!name) return std::nullopt;
        auto text = frame(timeout);
        if (!text) return std::nullopt;
        return std::pair{*name, *text};
    }
    // Everything up to and including `wanted` (for protocols without delimiters), or nullopt if
    // it does not arrive in time.
    std::optional<std::string> text_through(const std::string& wanted, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (const auto at = pending_.find(wanted); at != std::string::npos) {
                std::string out = pending_.substr(0, at + wanted.size());
                pending_.erase(0, at + wanted.size());
                return out;
            }
            if (!fill(deadline)) return std::nullopt;
        }
    }
    // Skips lines until `wanted` arrives; false if it never does.
    bool wait_line(const std::string& wanted, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        while (auto l = line(timeout))
            if (*l == wanted) return true;
        return false;
    }
    bool wait_event(const std::string& name, const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        while (auto e = event(timeout))
            if (e->first == name && e->second == text) return true;
        return false;
    }
    // Reads (and keeps) everything until the server closes; false if it does not within timeout.
    bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fill(deadline)) {
        }
        return eof_;
    }
    // True when nothing arrives for `quiet`.
    bool silent_for(std::chrono::milliseconds quiet) {
        if (!pending_.empty()) return false;
        const auto before = pending_.size();
        fill(std::chrono::steady_clock::now() + quiet);
        return pending_.size() == before && !eof_;
    }
    const std::string& pending() const { return pending_; }
    std::size_t total_received() const { return total_; }
    tcp::socket& socket() { return socket_; }

private:
    bool fill(std::chrono::steady_clock::time_point deadline) {
        if (eof_) return false;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() < 0) return false;
            pollfd p{socket_.native_handle(), POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return false;
            char chunk[65536];
            const ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof chunk, 0);
            if (n <= 0) {
                eof_ = true;  // end of stream or reset: either way the server closed us
                return false;
            }
            pending_.append(chunk, static_cast<std::size_t>(n));
            total_ += static_cast<std::size_t>(n);
            return true;
        }
    }

    asio::io_context io_;
    tcp::socket socket_;
    std::string pending_;
    std::size_t total_ = 0;
    bool eof_ = false;
};

}  // namespace netkit::test
