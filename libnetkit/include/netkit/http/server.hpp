// A small HTTP/1.1 server on the tcp_server machinery (Boost.Beast for the parsing): GET requests
// without a body, dispatched by exact path to handlers. It serves a node's /metrics and /healthz,
// and the chat's browser page with its WebSocket endpoint: a path given to router::upgrade hands
// the connection, once its upgrade request is checked, to an upgrade_target (upgrade.hpp), which
// runs it from then on; the session stays what tcp_server stops. Every request is bounded: headers at most
// `max_header_bytes` (431 beyond), no body (413), only GET (405), unknown paths 404, malformed
// requests 400, and a connection that sends no complete request within `idle_timeout` (also
// between keep-alive requests) is closed. The session only moves bytes and keeps time: what a
// request means is decided by request_reader.hpp, which works without a socket.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/http/router.hpp>
#include <netkit/tcp_server.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace netkit::http {

struct server_options {
    std::size_t max_header_bytes = 8 * 1024;        // request line and headers together
    std::chrono::milliseconds idle_timeout{10000};  // to receive a whole request, or send a response
};

// For tcp_server: one HTTP session per connection, all sharing `routes`.
tcp_server::session_factory session_factory(std::shared_ptr<const router> routes, server_options options = {});

}  // namespace netkit::http
