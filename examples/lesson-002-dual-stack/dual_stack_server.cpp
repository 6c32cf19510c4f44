// Lesson 002, "Dual-stack IPv6": ONE IPv6 socket that also accepts IPv4 clients. Each client gets
// one line telling it how the server saw it; an IPv4 client appears as ::ffff:a.b.c.d.
// Usage: lesson-002-dual-stack-server [HOST] [PORT]   (default :: 45000, every address, like the
// lesson: dual stack needs an IPv6 address, and "::" is the only one that also takes IPv4)
#include "../lesson_args.hpp"

#include <iostream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-002-dual-stack-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "::", "45000");
    const auto address = lesson::server_address(args, usage);
    if (!address.is_v6()) lesson::usage_error(usage, "HOST: a dual-stack server binds an IPv6 address (:: or ::1)");
    asio::io_context io;

    tcp::acceptor s(io);
    s.open(tcp::v6());                                    // family=AF_INET6
    s.set_option(asio::ip::v6_only(false));               // dualstack_ipv6=True: IPv4 welcome too
    s.set_option(tcp::acceptor::reuse_address(true));
    s.bind(tcp::endpoint(address, args.port));               // ("", 45000): "::", every address
    s.listen(1);                                          // s.listen(1)
    netkit::announce_listening(std::cout, netkit::to_string(s.local_endpoint()), "");

    for (;;) {
        boost::system::error_code ec;
        tcp::socket client = s.accept(ec);
        const tcp::endpoint peer = client.remote_endpoint(ec);
        if (ec) continue;  // a client that failed or left at once must not stop the server
        // The kernel hands an IPv4 client to an IPv6 socket as an "IPv4-mapped" address.
        const std::string family = peer.address().to_v6().is_v4_mapped() ? "IPv4" : "IPv6";
        const std::string line = "hello " + netkit::to_string(peer) + ", you came over " + family + "\n";
        std::cout << line << std::flush;
        asio::write(client, asio::buffer(line), ec);
    }
} catch (const std::exception& e) {
    std::cerr << "lesson-002-dual-stack-server: " << e.what() << "\n";
    return 1;
}
