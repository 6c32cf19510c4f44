// `netkit serve echo`: TCP echo, or UDP echo with --udp.
#include "cli_common.hpp"

#include <netkit/echo/echo_session.hpp>
#include <netkit/echo/udp_echo.hpp>

namespace netkit::cli {

int serve_echo(const args& a) {
    server_settings s;
    std::uint16_t port = 7007;
    bool udp_mode = false;
    po::options_description options("options");
    options.add_options()
        ("port", po::value(&port)->default_value(port), "port to listen on (0: any free port)")
        ("udp", po::bool_switch(&udp_mode), "echo UDP datagrams instead of a TCP stream");
    add_server_options(options, s);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve echo [options]",
                          "Sends every byte back, in order, until the peer closes. With --udp, each "
                          "datagram (0 to 65507 bytes) goes back unchanged to its sender.",
                          options, vm))
        return *done;

    logger log(parse_level(s.log_level));
    server_host host(log);
    if (udp_mode)
        host.add_udp({.bind_address = s.bind, .port = port, .label = {}}, udp_echo_handler());
    else
        host.add_tcp({.bind_address = s.bind, .port = port, .max_connections = s.max_connections},
                     echo_session_factory());
    return run_host(host, s);
}

}  // namespace netkit::cli
