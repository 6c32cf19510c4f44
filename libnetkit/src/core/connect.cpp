#include <netkit/connect.hpp>

#include <stdexcept>

namespace netkit {

tcp::socket connect_tcp(asio::io_context& io, const std::string& host, const std::string& port) {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto results = resolver.resolve(host, port, ec);
    if (ec) throw std::runtime_error("cannot resolve " + host + ":" + port + ": " + ec.message());
    tcp::socket socket(io);
    asio::connect(socket, results, ec);
    if (ec) throw std::runtime_error("cannot connect to " + host + ":" + port + ": " + ec.message());
    socket.set_option(tcp::no_delay(true), ec);  // best effort: the connection works without it
    return socket;
}

}  // namespace netkit
