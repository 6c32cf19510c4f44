#include <netkit/echo/udp_echo.hpp>

namespace netkit::echo {

udp_server::handler udp_echo_handler() {
    return [](std::span<const char> request, std::string& reply) {
        reply.assign(request.begin(), request.end());
        return true;
    };
}

}  // namespace netkit::echo
