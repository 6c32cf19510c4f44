// The date service: UDP request/answer (lesson 002 exercise) and RFC 867 style TCP.
#pragma once

#include <netkit/tcp_server.hpp>
#include <netkit/tcp_session.hpp>
#include <netkit/udp_server.hpp>

namespace netkit::date {

// Answers a date request with the date line; anything else gets no reply, so the server can never
// be used to amplify traffic towards a forged sender.
udp_server::handler udp_date_handler();

// Sends the date line on connect, then closes.
class date_tcp_session : public tcp_session {
public:
    using tcp_session::tcp_session;
    asio::awaitable<void> run() override;
};

tcp_server::session_factory date_session_factory();

}  // namespace netkit::date

// The names of netkit 0.x, before each service had its namespace: kept so programs written
// against them still build. New code says netkit::date::.
namespace netkit {
using date::date_tcp_session;
using date::udp_date_handler;
using date::date_session_factory;
}  // namespace netkit
