// A TCP listener that accepts each connection onto its own strand, hands it to a session made by a
// factory, enforces a connection limit and stops gracefully. With options.tls, every connection is
// a TLS stream whose handshake is done (within handshake_timeout) before the session is made.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/log.hpp>
#include <netkit/metrics/registry.hpp>
#include <netkit/stream.hpp>
#include <netkit/tcp_session.hpp>
#include <netkit/tls/server_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace netkit {

struct tcp_server_options {
    std::string bind_address = "127.0.0.1";  // "::" listens on IPv6 and IPv4 (dual stack)
    std::uint16_t port = 0;                  // 0: the OS chooses; see local_endpoint()
    std::size_t max_connections = 10000;     // connections over it are closed at once and logged
    // Connections open at once from one client address (an IPv6 client: its /64, which one host
    // usually owns whole), so that one client cannot take every slot. 0: no such limit.
    std::size_t max_per_address = 256;
    std::string label;                       // names the listener in logs and the listening line
    bool no_delay = true;                    // TCP_NODELAY: no Nagle delay on request/response
    bool reuse_port = false;                 // SO_REUSEPORT: several processes share the port
    // TCP keepalive probes after this much silence (0: off), so a peer that vanished without a FIN
    // (cable pulled, host crashed) is noticed within about two minutes instead of never.
    std::chrono::seconds keepalive_idle{60};
    // Where to count connections accepted, refused and open, labelled listener="<label>" (or
    // "default"); must outlive the server. nullptr: not counted.
    metrics::registry* metrics = nullptr;
    // TLS on every connection of this listener (nullptr: plain TCP). Shared, so that a reload
    // (a renewed certificate) reaches every listener that uses it.
    std::shared_ptr<tls::server_context> tls;
    // A TLS client must finish its handshake within this, or it is closed: a client that connects
    // and stays silent cannot hold a slot (handshakes count against max_connections).
    std::chrono::milliseconds handshake_timeout{10000};
};

// The key under which max_per_address counts a client's connections: the IPv4 address (also for
// an IPv4-mapped IPv6 one), or the /64 of an IPv6 address, since a host is given a whole /64 and
// can connect from any address in it.
std::string client_key(const asio::ip::address& address);

class tcp_server {
public:
    using session_factory = std::function<std::shared_ptr<tcp_session>(stream)>;

    // Binds and listens at once; throws std::system_error naming the address on failure.
    tcp_server(asio::io_context& io, tcp_server_options options, session_factory make, logger& log);
    tcp_server(const tcp_server&) = delete;
    tcp_server& operator=(const tcp_server&) = delete;

    tcp::endpoint local_endpoint() const { return endpoint_; }
    const tcp_server_options& options() const { return options_; }
    std::size_t connection_count() const;  // sessions and TLS handshakes under way

    void start();
    // Thread-safe: stops accepting, asks every session to stop, and aborts the ones still open
    // after `grace`. The io_context runs out of work once all sessions have ended.
    void stop(std::chrono::milliseconds grace);

private:
    asio::awaitable<void> accept_loop();
    void admit(tcp::socket socket);
    // TLS: the handshake raced with handshake_timeout, then the session. `key` holds a slot.
    asio::awaitable<void> handshake_then_start(stream s, tcp::endpoint peer, std::string key);
    // Under mutex_: makes the session for `s` and counts it (false: the factory failed).
    std::shared_ptr<tcp_session> make_session_locked(stream s, const tcp::endpoint& peer);
    void start_session(const std::shared_ptr<tcp_session>& session);
    void release_locked(const std::string& key);  // one connection of `key`'s fewer
    void session_ended(const std::shared_ptr<tcp_session>& session);
    void wake_stop_locked();  // stopping and nothing left: end the grace period now

    tcp_server_options options_;
    session_factory make_;
    logger& log_;
    asio::strand<asio::io_context::executor_type> strand_;  // acceptor and grace timer live here
    tcp::acceptor acceptor_;
    tcp::endpoint endpoint_;
    asio::steady_timer grace_timer_;

    mutable std::mutex mutex_;  // guards sessions_, per_address_, handshakes_ and stopping_
    // Open sessions, each with its client's key in per_address_ (open connections by client).
    std::unordered_map<std::shared_ptr<tcp_session>, std::string> sessions_;
    std::unordered_map<std::string, std::size_t> per_address_;
    // The timers of TLS handshakes under way: stop() cancels them, which ends the handshakes.
    std::unordered_set<std::shared_ptr<asio::steady_timer>> handshakes_;
    bool stopping_ = false;

    // Set when options_.metrics is: counted under mutex_ anyway, but scraped without it.
    metrics::counter* accepted_ = nullptr;
    metrics::counter* refused_ = nullptr;
    metrics::gauge* open_ = nullptr;
};

}  // namespace netkit
