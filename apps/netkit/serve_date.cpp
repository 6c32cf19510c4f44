// `netkit serve date`: the lesson 002 UDP date server, or RFC 867 style over TCP with --tcp.
#include "cli_common.hpp"

#include <netkit/date/date_service.hpp>

namespace netkit::cli {

int serve_date(const args& a) {
    server_settings s;
    std::uint16_t port_number = 13013;
    bool tcp_mode = false;
    po::options_description options("options");
    options.add_options()
        ("port", port(port_number, "--port"), "port to listen on (0: any free port)")
        ("tcp", po::bool_switch(&tcp_mode), "send the date line on connect and close (RFC 867)");
    add_server_options(options, s);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve date [options]",
                          "Answers a UDP datagram holding 'date' (optionally followed by a newline) "
                          "with the local time as `date` prints it in the C locale. Any other "
                          "datagram gets no reply.",
                          options, vm))
        return *done;

    logger log(parse_level(s.log_level));
    server_host host(log);
    enable_metrics(host, s);
    if (tcp_mode)
        host.add_tcp(listener(s, port_number),
                     date::date_session_factory());
    else
        host.add_udp({.bind_address = s.bind, .port = port_number, .label = {}}, date::udp_date_handler());
    return run_host(host, s);
}

}  // namespace netkit::cli
