// The base of every TCP session: a socket bound to the session's own strand and a coroutine that
// serves it. tcp_server owns the sessions and asks them to stop on shutdown.
#pragma once

#include <netkit/asio.hpp>

#include <chrono>
#include <memory>

namespace netkit {

class tcp_session : public std::enable_shared_from_this<tcp_session> {
public:
    // The socket's executor must be the session's strand (tcp_server accepts onto a new strand).
    explicit tcp_session(tcp::socket socket);
    virtual ~tcp_session() = default;
    tcp_session(const tcp_session&) = delete;
    tcp_session& operator=(const tcp_session&) = delete;

    // The session's logic, run on its strand until the connection is done.
    virtual asio::awaitable<void> run() = 0;

    // Thread-safe. Graceful: runs on_stop_requested() on the strand.
    void request_stop();
    // Thread-safe. Forceful: closes the socket, failing whatever the session is waiting for.
    void abort();

    const tcp::endpoint& remote_endpoint() const { return remote_; }
    tcp::socket::executor_type get_executor() { return socket_.get_executor(); }

protected:
    // Default: stop receiving, so run() sees the end of the stream and finishes what it has.
    virtual void on_stop_requested();

    // Ends the connection without losing the last answer: closing a socket with unread input makes
    // the kernel send RST, which can destroy data the peer has not read yet. So this ends the
    // sending side, reads and drops what still comes (at most 1 MiB, until `deadline`), then closes.
    asio::awaitable<void> drain_and_close(std::chrono::steady_clock::duration deadline = std::chrono::seconds(1));

    tcp::socket socket_;
    tcp::endpoint remote_;  // kept for log records after the socket is closed
};

}  // namespace netkit
