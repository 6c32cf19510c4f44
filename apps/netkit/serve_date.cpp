// `netkit serve date`: the lesson 002 UDP date server, or RFC 867 style over TCP with --tcp.
#include "cli_common.hpp"
#include "tls_server_options.hpp"

#include <netkit/date/date_service.hpp>

namespace netkit::cli {

int serve_date(const args& a) {
    server_settings s;
    std::uint16_t port_number = 13013;
    bool tcp_mode = false;
    tls_server_settings tls_settings;
    po::options_description options("options");
    options.add_options()
        ("port", port(port_number, "--port"), "port to listen on (0: any free port)")
        ("tcp", po::bool_switch(&tcp_mode), "send the date line on connect and close (RFC 867)");
    add_server_options(options, s);
    add_tls_server_options(options, tls_settings);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve date [options]",
                          "Answers a UDP datagram holding 'date' (optionally followed by a newline) "
                          "with the local time as `date` prints it in the C locale. Any other "
                          "datagram gets no reply. " + std::string(tls_server_help) + " (TLS needs --tcp.)",
                          options, vm))
        return *done;

    const tls_listeners tls(tls_settings);
    if (!tcp_mode && tls.enabled()) throw usage_error("--tls-cert needs --tcp: the UDP date server has no TLS");
    logger log(parse_level(s.log_level));
    server_host host(log);
    enable_metrics(host, s);
    if (tcp_mode)
        host.add_tcp(tls.apply(listener(s, port_number)),
                     date::date_session_factory());
    else
        host.add_udp({.bind_address = s.bind, .port = port_number, .label = {}}, date::udp_date_handler());
    tls.reload_on_sighup(host);
    return run_host(host, s);
}

}  // namespace netkit::cli
