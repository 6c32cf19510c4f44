// Lesson 002, "Dual-stack IPv6", the client: connects over IPv4 or IPv6, whichever HOST names,
// and prints what the server says.
// Usage: lesson002_dual_stack_client HOST [PORT]   (e.g. 127.0.0.1 or ::1; default port: 45000)
#include <boost/asio.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: lesson002_dual_stack_client HOST [PORT]\n";
        return 2;
    }
    asio::io_context io;
    tcp::socket s(io);
    const auto servers = tcp::resolver(io).resolve(argv[1], argc > 2 ? argv[2] : "45000");
    const tcp::endpoint server = asio::connect(s, servers);  // tries each address HOST names
    std::cout << "connected from " << s.local_endpoint() << " to " << server << std::endl;

    std::string reply;  // the server sends one line, then closes
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(reply, 1024), ec);
    if (ec && ec != asio::error::eof) throw boost::system::system_error(ec, "recv");
    std::cout << reply << std::flush;
    return 0;
} catch (const std::exception& e) {
    std::cerr << "dual_stack_client: " << e.what() << "\n";
    return 1;
}
