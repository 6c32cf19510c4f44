// What takes over an HTTP connection once its request asked to upgrade (to WebSocket) on a path
// given to router::upgrade. The HTTP session stays the connection's tcp_session: tcp_server still
// counts it, stops it and aborts it; the session forwards a stop to the upgraded connection and
// runs it on the connection's strand until it is done.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/http/request_reader.hpp>
#include <netkit/stream.hpp>

#include <memory>
#include <string>

namespace netkit {
class tcp_session;
}

namespace netkit::http {

class upgraded_connection {
public:
    virtual ~upgraded_connection() = default;
    // The connection's whole life after the upgrade request (the handshake included).
    virtual asio::awaitable<void> run() = 0;
    // On the strand: the server is stopping (say goodbye, then close).
    virtual void stop() = 0;
};

class upgrade_target {
public:
    virtual ~upgrade_target() = default;
    // On the connection's strand. `owner` is the HTTP session and `s` its stream (plain or TLS);
    // the result keeps `owner` (and so the stream) alive for as long as it or any of its handlers
    // lives (owner.shared_from_this()). `request` asked for the upgrade and was checked (path, origin);
    // `early` holds what the client sent after it and was read with it (the new protocol's first bytes).
    virtual std::shared_ptr<upgraded_connection> take(tcp_session& owner, stream& s, request_header request,
                                                      std::string early) = 0;
};

}  // namespace netkit::http
