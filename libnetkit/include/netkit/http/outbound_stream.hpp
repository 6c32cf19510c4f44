// An asynchronous stream for a protocol library that frames every message itself (Beast's
// WebSocket): its reads come from the connection's stream, its writes are queued on the
// connection's outbound (outbound.hpp). A write completes as soon as its bytes are queued, without
// a system call, and everything queued for the connection still leaves in one send: a broadcast to
// a browser costs what it costs a line client. The outbound's limits apply (a full queue holds the
// write back until it drains; a peer that stops reading is dropped).
#pragma once

#include <netkit/asio.hpp>
#include <netkit/outbound.hpp>
#include <netkit/stream.hpp>

#include <boost/asio/append.hpp>
#include <boost/beast/core/role.hpp>

#include <memory>
#include <string>

namespace netkit {

class outbound_stream {
public:
    using executor_type = stream::executor_type;

    // Both belong to the connection and outlive this stream.
    outbound_stream(stream& from, outbound& to) : from_(from), to_(to) {}

    executor_type get_executor() { return from_.get_executor(); }
    // No next_layer(): to Beast this is the lowest layer, so that its timeouts close the
    // connection through the outbound (beast_close_socket below), which then takes no more.
    stream& source() { return from_; }
    outbound& queue() { return to_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return from_.async_read_some(buffers, std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                const auto ex = get_executor();
                const std::size_t n = asio::buffer_size(b);
                if (to_.closed()) {
                    asio::post(ex, asio::append(std::move(handler), asio::error::make_error_code(asio::error::broken_pipe),
                                                std::size_t(0)));
                    return;
                }
                auto bytes = std::make_shared<std::string>(n, '\0');
                asio::buffer_copy(asio::buffer(*bytes), b);
                if (!to_.push(std::move(bytes))) {
                    asio::post(ex, asio::append(std::move(handler), boost::system::error_code(), n));
                    return;
                }
                // Congested: the write completes once the queue is back under its high-water mark.
                auto waiting = std::make_shared<decltype(handler)>(std::move(handler));
                to_.when_drained([ex, waiting, n] {
                    asio::post(ex, [waiting, n]() mutable { std::move (*waiting)(boost::system::error_code(), n); });
                });
            },
            token, buffers);
    }

private:
    stream& from_;
    outbound& to_;
};

// Beast closes the lowest layer when a timeout expires (on the strand): the outbound drops its
// queue and closes the stream.
inline void beast_close_socket(outbound_stream& s) { s.queue().close(); }

// Beast's end of a WebSocket connection (after the close handshake): what is queued still goes
// out, then the connection closes (outbound::seal).
void teardown(boost::beast::role_type role, outbound_stream& s, boost::system::error_code& ec);

template <class Handler>
void async_teardown(boost::beast::role_type, outbound_stream& s, Handler&& handler) {
    s.queue().seal();
    asio::post(s.get_executor(), asio::append(std::forward<Handler>(handler), boost::system::error_code()));
}

}  // namespace netkit
