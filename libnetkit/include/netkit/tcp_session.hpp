// The base of every TCP session: a stream (a socket, plain or TLS) bound to the session's own strand
// and a coroutine that serves it. tcp_server owns the sessions and asks them to stop on shutdown. A
// session reads and writes only through the stream, so it serves TLS exactly as it serves plain TCP.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/stream.hpp>

#include <chrono>
#include <memory>

namespace netkit {

class tcp_session : public std::enable_shared_from_this<tcp_session> {
public:
    // The stream's executor must be the session's strand (tcp_server accepts onto a new strand).
    // A TLS stream has done its handshake already (tcp_server does it before making the session).
    explicit tcp_session(stream s);
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
    tcp::socket::executor_type get_executor() { return stream_.get_executor(); }

private:
    asio::awaitable<void> shutdown_then_discard();

protected:
    // Default: stop receiving, so run() sees the end of the stream and finishes what it has.
    virtual void on_stop_requested();

    // Ends the connection without losing the last answer: closing a socket with unread input makes
    // the kernel send RST, which can destroy data the peer has not read yet. So this ends the
    // sending side (TLS: close_notify first), reads and drops what still comes (at most 1 MiB,
    // until `deadline`), then closes.
    asio::awaitable<void> drain_and_close(std::chrono::steady_clock::duration deadline = std::chrono::seconds(1));

    stream stream_;  // read and write only through it; stream_.socket() for endpoints and options
    tcp::endpoint remote_;  // kept for log records after the socket is closed
};

}  // namespace netkit
