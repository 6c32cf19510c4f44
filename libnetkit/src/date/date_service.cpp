#include <netkit/date/date_service.hpp>

#include <netkit/date/date_text.hpp>

namespace netkit::date {

udp_server::handler udp_date_handler() {
    return [](std::span<const char> request, std::string& reply) {
        if (!is_date_request(request)) return false;
        reply = format_date(std::chrono::system_clock::now());
        return true;
    };
}

asio::awaitable<void> date_tcp_session::run() {
    const std::string line = format_date(std::chrono::system_clock::now());
    co_await asio::async_write(stream_, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
    co_await stream_.shutdown_send();
    stream_.close();
}

tcp_server::session_factory date_session_factory() {
    return [](stream s) { return std::make_shared<date_tcp_session>(std::move(s)); };
}

}  // namespace netkit::date
