// TCP echo: every byte goes back in order until the peer closes its sending side.
#pragma once

#include <netkit/tcp_server.hpp>
#include <netkit/tcp_session.hpp>

namespace netkit::echo {

class echo_session : public tcp_session {
public:
    using tcp_session::tcp_session;
    asio::awaitable<void> run() override;
};

// For tcp_server: one echo_session per connection.
tcp_server::session_factory echo_session_factory();

}  // namespace netkit::echo

// The names of netkit 0.x, before each service had its namespace: kept so programs written
// against them still build. New code says netkit::echo::.
namespace netkit {
using echo::echo_session;
using echo::echo_session_factory;
}  // namespace netkit
