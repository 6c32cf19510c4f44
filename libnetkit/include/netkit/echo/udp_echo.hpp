// UDP echo: each datagram goes back unchanged to its sender.
#pragma once

#include <netkit/udp_server.hpp>

namespace netkit {

udp_server::handler udp_echo_handler();

}  // namespace netkit
