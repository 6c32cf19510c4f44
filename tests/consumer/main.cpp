// Echoes one message through a libnetkit echo server, using only the installed headers and library.
#include <netkit/echo/echo_session.hpp>
#include <netkit/log.hpp>
#include <netkit/tcp_server.hpp>

#include <iostream>
#include <thread>

int main() {
    using namespace netkit;
    asio::io_context io;
    logger log(log_level::warn);
    tcp_server server(io, {}, echo_session_factory(), log);
    server.start();
    std::jthread runner([&io] { io.run(); });

    asio::io_context client_io;
    tcp::socket client(client_io);
    client.connect(server.local_endpoint());
    const std::string sent = "hello from an outside project";
    asio::write(client, asio::buffer(sent));
    client.shutdown(tcp::socket::shutdown_send);
    std::string received;
    boost::system::error_code ec;
    asio::read(client, asio::dynamic_buffer(received), ec);
    server.stop(std::chrono::milliseconds(500));
    if (received != sent) {
        std::cerr << "echo mismatch: '" << received << "'\n";
        return 1;
    }
    std::cout << "consumer ok: " << received << "\n";
    return 0;
}
