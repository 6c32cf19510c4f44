// UDP echo: each datagram goes back unchanged to its sender.
#pragma once

#include <netkit/udp_server.hpp>

namespace netkit::echo {

udp_server::handler udp_echo_handler();

}  // namespace netkit::echo

// The names of netkit 0.x, before each service had its namespace: kept so programs written
// against them still build. New code says netkit::echo::.
namespace netkit {
using echo::udp_echo_handler;
}  // namespace netkit
