#include <netkit/tcp_session.hpp>

namespace netkit {

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

}  // namespace netkit
