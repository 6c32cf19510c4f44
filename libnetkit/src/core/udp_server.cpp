#include <netkit/udp_server.hpp>

#include <netkit/endpoint.hpp>

#include <array>
#include <system_error>

namespace netkit {

namespace {

udp::socket open_socket(asio::io_context& io, const udp_server_options& options) {
    const udp::endpoint wanted(parse_address(options.bind_address), options.port);
    udp::socket socket(asio::make_strand(io));
    boost::system::error_code ec;
    if (socket.open(wanted.protocol(), ec))
        throw std::system_error(ec, "cannot open a socket for " + to_string(wanted));
    if (wanted.address().is_v6() && wanted.address().is_unspecified())
        socket.set_option(asio::ip::v6_only(false));
    if (socket.bind(wanted, ec)) throw std::system_error(ec, "cannot bind " + to_string(wanted));
    return socket;
}

}  // namespace

udp_server::udp_server(asio::io_context& io, udp_server_options options, handler handle, logger& log)
    : options_(std::move(options)),
      handle_(std::move(handle)),
      log_(log),
      socket_(open_socket(io, options_)),
      endpoint_(socket_.local_endpoint()) {}

void udp_server::start() {
    asio::co_spawn(socket_.get_executor(), receive_loop(), [this](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log_.error("udp listener ", to_string(endpoint_), " failed: ", ex.what());
        }
    });
}

void udp_server::stop() {
    asio::post(socket_.get_executor(), [this] {
        boost::system::error_code ignored;
        socket_.close(ignored);
    });
}

asio::awaitable<void> udp_server::receive_loop() {
    // 65507 is the largest IPv4 UDP payload; one more byte would tell us nothing new.
    auto buffer = std::make_unique<std::array<char, 65536>>();
    std::string reply;
    udp::endpoint sender;
    for (;;) {
        auto [ec, n] = co_await socket_.async_receive_from(asio::buffer(*buffer), sender,
                                                           asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !socket_.is_open()) co_return;
        if (ec) {
            log_.warn("udp receive on ", to_string(endpoint_), ": ", ec.message());
            continue;
        }
        reply.clear();
        if (!handle_(std::span<const char>(buffer->data(), n), reply)) continue;
        auto [sec, sent] = co_await socket_.async_send_to(asio::buffer(reply), sender,
                                                          asio::as_tuple(asio::use_awaitable));
        if (sec == asio::error::operation_aborted) co_return;
        if (sec) log_.warn("udp reply to ", to_string(sender), ": ", sec.message());
    }
}

}  // namespace netkit
