#include <netkit/endpoint.hpp>

#include <charconv>
#include <stdexcept>

namespace netkit {

asio::ip::address parse_address(std::string_view text) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec) throw std::invalid_argument("not a numeric IP address: '" + std::string(text) + "'");
    return address;
}

std::uint16_t parse_port(std::string_view text) {
    std::uint16_t port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        throw std::invalid_argument("not a port number from 0 to 65535: '" + std::string(text) + "'");
    return port;
}

namespace {
std::string format(const asio::ip::address& address, std::uint16_t port) {
    if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
    return address.to_string() + ":" + std::to_string(port);
}
}  // namespace

std::string to_string(const tcp::endpoint& ep) { return format(ep.address(), ep.port()); }
std::string to_string(const udp::endpoint& ep) { return format(ep.address(), ep.port()); }

void announce_listening(std::ostream& out, const std::string& endpoint, std::string_view label) {
    out << "listening on " << endpoint;
    if (!label.empty()) out << " (" << label << ")";
    out << std::endl;  // flush: a reader on a pipe waits for this line
}

}  // namespace netkit
