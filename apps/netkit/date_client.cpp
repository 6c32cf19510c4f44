// `netkit date HOST PORT`: ask a date server for the time (UDP, or TCP with --tcp).
#include "cli_common.hpp"

#include <iostream>

namespace netkit::cli {

int date_client(const args& a) {
    std::string host, port;
    bool tcp_mode = false;
    double timeout = 2.0;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port")
        ("tcp", po::bool_switch(&tcp_mode), "read the line a TCP date server sends on connect")
        ("timeout", po::value(&timeout)->default_value(timeout), "seconds to wait for the UDP reply");
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit date HOST PORT [--tcp]",
                          "Sends the datagram 'date' and prints the server's answer.", options, vm,
                          &positional))
        return *done;

    asio::io_context io;
    if (tcp_mode) {
        tcp::socket socket = connect_tcp(io, host, port);
        std::string line;
        boost::system::error_code ec;
        asio::read(socket, asio::dynamic_buffer(line, 1024), ec);
        if (ec != asio::error::eof) throw std::runtime_error("reading from " + host + ":" + port + ": " + ec.message());
        std::cout << line << std::flush;
        return 0;
    }
    const udp::endpoint server = resolve_udp(io, host, port);
    udp::socket socket(io, server.protocol());
    const auto reply =
        udp_exchange(io, socket, server, "date", seconds_option(timeout, "--timeout", false));
    if (!reply) throw std::runtime_error("no reply from " + host + ":" + port + " (UDP) within the timeout");
    std::cout << *reply << std::flush;
    return 0;
}

}  // namespace netkit::cli
