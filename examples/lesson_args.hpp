// The command line every example shares: [HOST] [PORT], --help (usage, exit 0), and exit 2 with a
// message for a wrong argument. Header-only so each example stays one file plus this.
#pragma once

#include <netkit/endpoint.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lesson {

struct host_port {
    std::string host;
    std::uint16_t port = 0;
};

[[noreturn]] inline void usage_error(std::string_view usage, const std::string& why) {
    std::cerr << why << "\nusage: " << usage << "\n";
    std::exit(2);
}

// argv[1] is HOST, argv[2] is PORT, both optional; `more` extra arguments may follow them.
inline host_port parse_host_port(int argc, char** argv, std::string_view usage, std::string host,
                                 std::string_view port, int more = 0) {
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--help") {
            std::cout << "usage: " << usage << "\n";
            std::exit(0);
        }
    if (argc > 3 + more) usage_error(usage, "too many arguments");
    if (argc > 1) host = argv[1];
    if (argc > 2) port = argv[2];
    try {
        return {host, netkit::parse_port(port)};
    } catch (const std::invalid_argument& e) {
        usage_error(usage, std::string("PORT: ") + e.what());
    }
}

// A server binds a numeric address: 127.0.0.1 (this PC only), 0.0.0.0 or :: (every network).
inline netkit::asio::ip::address server_address(const host_port& where, std::string_view usage) {
    try {
        return netkit::parse_address(where.host);
    } catch (const std::invalid_argument& e) {
        usage_error(usage, std::string("HOST: ") + e.what());
    }
}

}  // namespace lesson
