// One connection to the file service: request lines served one after another, as in the lesson's
// blocking loop, on the connection's strand.
#pragma once

#include <netkit/files/files_service.hpp>
#include <netkit/files/request.hpp>
#include <netkit/line_reader.hpp>
#include <netkit/tcp_server.hpp>
#include <netkit/tcp_session.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace netkit::files {

class files_session : public tcp_session {
public:
    files_session(stream s, files_service& service);
    asio::awaitable<void> run() override;

protected:
    // Between requests: end now. During a transfer: finish it first (tcp_server aborts the
    // connection if the grace period runs out).
    void on_stop_requested() override;

private:
    asio::awaitable<void> serve();
    asio::awaitable<void> watchdog();
    // Each returns false when the connection must end.
    asio::awaitable<bool> put(const files_request& request);
    asio::awaitable<bool> get(const files_request& request);
    asio::awaitable<bool> list();
    asio::awaitable<bool> send(std::string text);
    asio::awaitable<bool> send_file(int fd, std::uint64_t size, std::atomic<bool>& abandon);
    // The two ways the bytes go out (sendfile on a plain socket; read and written through a TLS
    // stream); `sent` says how far they got.
    asio::awaitable<boost::system::error_code> sendfile_to_socket(int fd, std::uint64_t size, std::uint64_t& sent);
    asio::awaitable<boost::system::error_code> copy_through_stream(int fd, std::uint64_t size, std::uint64_t& sent);
    boost::system::error_code shrank();  // logs that the file shrank while being sent
    void touch() { last_activity_ = std::chrono::steady_clock::now(); }

    files_service& service_;
    line_reader lines_{max_request_line};
    asio::steady_timer idle_timer_;
    std::chrono::steady_clock::time_point last_activity_;
    std::chrono::steady_clock::time_point connected_;
    bool seen_request_ = false;  // until then the login timeout applies
    bool in_request_ = false;
    bool stop_requested_ = false;
    bool waiting_on_disk_ = false;  // the watchdog does not count time spent in fsync
};

// For tcp_server: one files_session per connection, each referring to `service` (which must
// outlive the server).
tcp_server::session_factory files_session_factory(files_service& service);

}  // namespace netkit::files
