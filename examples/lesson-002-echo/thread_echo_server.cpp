// Lesson 002, the multi-threaded TCP echo server: the same accept loop as the sequential server,
// but each accepted client is handed to a new thread, so accept() is called again at once and a
// slow client no longer holds up the others.
// Usage: lesson-002-thread-echo-server [HOST] [PORT]   (default 127.0.0.1 2300)
#include "../lesson_args.hpp"

#include <iostream>
#include <sstream>
#include <string>
#include <thread>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The handling function the lesson puts in its own thread: recv(1024), print, send back, close.
// Blocking calls are fine here: they block only this client's thread.
void echo_once(tcp::socket client) {
    boost::system::error_code ec;
    char echo_txt[1024];
    const std::size_t n = client.read_some(asio::buffer(echo_txt), ec);  // recv(1024)
    if (ec) return;
    std::ostringstream line;  // one write per line, so threads never interleave inside a line
    line << "thread " << std::this_thread::get_id() << " C: " << std::string_view(echo_txt, n) << "\n";
    std::cout << line.str() << std::flush;
    asio::write(client, asio::buffer(echo_txt, n), ec);                  // send
}                                                                        // close

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-002-thread-echo-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "2300");
    const tcp::endpoint where(lesson::server_address(args, usage), args.port);
    asio::io_context io;

    tcp::acceptor ss(io);
    ss.open(where.protocol());                                // socket()
    ss.set_option(tcp::acceptor::reuse_address(true));        // SO_REUSEADDR
    ss.bind(where);                                           // bind()
    ss.listen(5);                                             // listen(5)
    netkit::announce_listening(std::cout, netkit::to_string(ss.local_endpoint()), "");

    for (;;) {
        boost::system::error_code ec;
        tcp::socket client = ss.accept(ec);                   // accept()
        const tcp::endpoint address = client.remote_endpoint(ec);
        if (ec) continue;
        std::cout << "Client connected from: " << netkit::to_string(address) << std::endl;
        // A thread per connection: it owns the socket and ends when the client is served.
        std::thread(echo_once, std::move(client)).detach();
    }
} catch (const std::exception& e) {
    std::cerr << "lesson-002-thread-echo-server: " << e.what() << "\n";
    return 1;
}
