#include <netkit/tcp_session.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <array>

namespace netkit {

namespace {

constexpr std::size_t drain_limit = 1024 * 1024;

asio::awaitable<void> discard_input(tcp::socket& socket, std::size_t limit) {
    std::array<char, 4096> chunk;
    for (std::size_t total = 0; total < limit;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        total += n;
    }
}

}  // namespace

tcp_session::tcp_session(tcp::socket socket) : socket_(std::move(socket)) {
    boost::system::error_code ec;
    remote_ = socket_.remote_endpoint(ec);  // the peer may already be gone; logs then show 0.0.0.0:0
}

void tcp_session::request_stop() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->on_stop_requested(); });
}

void tcp_session::abort() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->socket_.close(ignored);
    });
}

void tcp_session::on_stop_requested() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

asio::awaitable<void> tcp_session::drain_and_close(std::chrono::steady_clock::duration deadline) {
    using namespace asio::experimental::awaitable_operators;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    asio::steady_timer timer(socket_.get_executor(), deadline);
    co_await (discard_input(socket_, drain_limit) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    socket_.close(ignored);
}

}  // namespace netkit
