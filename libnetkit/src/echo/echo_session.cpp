#include <netkit/echo/echo_session.hpp>
#include <netkit/write_all.hpp>

#include <vector>

namespace netkit::echo {

asio::awaitable<void> echo_session::run() {
    using asio::as_tuple;
    using asio::use_awaitable;
    // The buffer is allocated only once the peer sends something, so an idle connection costs
    // little. It starts small and grows once, to a bounded size, for a peer that fills it (a
    // bulk stream moves twice as fast with 64 KiB per system call as with 16 KiB), so memory per
    // connection is bounded whatever the stream length.
    constexpr std::size_t small_buffer = 16 * 1024, large_buffer = 64 * 1024;
    std::vector<char> buffer;
    for (;;) {
        if (buffer.empty()) {
            auto [wec] = co_await stream_.async_wait_readable(as_tuple(use_awaitable));
            if (wec) co_return;
            buffer.resize(small_buffer);
        }
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer), as_tuple(use_awaitable));
        if (ec) break;  // end of stream (or stop requested): everything read has been echoed
        if (co_await write_all(stream_, asio::buffer(buffer.data(), n))) co_return;
        if (n == buffer.size() && buffer.size() < large_buffer) buffer.resize(large_buffer);
    }
    co_await stream_.shutdown_send();
    stream_.close();
}

tcp_server::session_factory echo_session_factory() {
    return [](stream s) { return std::make_shared<echo_session>(std::move(s)); };
}

}  // namespace netkit::echo
