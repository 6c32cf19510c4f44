#include <netkit/tcp_session.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <array>

namespace netkit {

namespace {

constexpr std::size_t drain_limit = 1024 * 1024;

asio::awaitable<void> discard_input(stream& s, std::size_t limit) {
    std::array<char, 4096> chunk;
    for (std::size_t total = 0; total < limit;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        total += n;
    }
}

}  // namespace

asio::awaitable<void> tcp_session::shutdown_then_discard() {
    co_await stream_.shutdown_send();  // TLS: close_notify may wait for room, so under the deadline too
    co_await discard_input(stream_, drain_limit);
}

tcp_session::tcp_session(stream s) : stream_(std::move(s)) {
    boost::system::error_code ec;
    remote_ = stream_.socket().remote_endpoint(ec);  // the peer may already be gone; logs then show 0.0.0.0:0
}

void tcp_session::request_stop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->on_stop_requested(); });
}

void tcp_session::abort() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
}

void tcp_session::on_stop_requested() { stream_.shutdown_receive(); }

asio::awaitable<void> tcp_session::drain_and_close(std::chrono::steady_clock::duration deadline) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(stream_.get_executor(), deadline);
    co_await (shutdown_then_discard() || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    stream_.close();
}

}  // namespace netkit
