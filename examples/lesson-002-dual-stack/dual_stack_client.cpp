// Lesson 002, "Dual-stack IPv6", the client: connects over IPv4 or IPv6, whichever HOST names,
// and prints what the server says.
// Usage: lesson-002-dual-stack-client [HOST] [PORT]   (e.g. 127.0.0.1 or ::1; default 127.0.0.1 45000)
#include "../lesson_args.hpp"

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-dual-stack-client [HOST] [PORT]", "127.0.0.1", "45000");
    asio::io_context io;
    tcp::socket s(io);
    const auto servers = tcp::resolver(io).resolve(args.host, std::to_string(args.port));
    const tcp::endpoint server = asio::connect(s, servers);  // tries each address HOST names
    std::cout << "connected from " << s.local_endpoint() << " to " << server << std::endl;

    std::string reply;  // the server sends one line, then closes
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(reply, 1024), ec);
    if (ec && ec != asio::error::eof) throw boost::system::system_error(ec, "recv");
    std::cout << reply << std::flush;
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-002-dual-stack-client: " << e.what() << "\n";
    return 1;
}
