#include <netkit/write_all.hpp>

namespace netkit {

asio::awaitable<boost::system::error_code> write_all(tcp::socket& socket, asio::const_buffer data) {
    boost::system::error_code ec;
    if (!socket.non_blocking()) socket.non_blocking(true, ec);
    if (!ec) {
        data += socket.write_some(data, ec);
        if (!ec && data.size() == 0) co_return ec;
        if (ec && ec != asio::error::would_block) co_return ec;
    }
    auto [wec, written] = co_await asio::async_write(socket, data, asio::as_tuple(asio::use_awaitable));
    co_return wec;
}

asio::awaitable<boost::system::error_code> write_all(stream& s, asio::const_buffer data) {
    boost::system::error_code ec;
    data += s.write_some_now(data, ec);
    if (!ec && data.size() == 0) co_return ec;
    if (ec && ec != asio::error::would_block) co_return ec;
    auto [wec, written] = co_await asio::async_write(s, data, asio::as_tuple(asio::use_awaitable));
    co_return wec;
}

}  // namespace netkit
