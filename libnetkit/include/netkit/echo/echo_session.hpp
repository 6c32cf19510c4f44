// TCP echo: every byte goes back in order until the peer closes its sending side.
#pragma once

#include <netkit/tcp_server.hpp>
#include <netkit/tcp_session.hpp>

namespace netkit {

class echo_session : public tcp_session {
public:
    using tcp_session::tcp_session;
    asio::awaitable<void> run() override;
};

// For tcp_server: one echo_session per connection.
tcp_server::session_factory echo_session_factory();

}  // namespace netkit
