// A WebSocket chat client for tests (Boost.Beast), with a deadline on every operation: each runs on
// the client's own io_context for at most its timeout, then the socket is closed.
#pragma once

#include <netkit/asio.hpp>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace netkit::test {

class ws_peer {
public:
    using stream = boost::beast::websocket::stream<tcp::socket>;

    // Connects and asks for /ws, with an Origin field unless `origin` is empty. handshake_status()
    // tells how it went: 101 when it succeeded.
    explicit ws_peer(unsigned short port, std::string origin = {}, int receive_buffer = 0) : ws_(io_) {
        auto& socket = ws_.next_layer();
        socket.open(tcp::v4());
        if (receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
        socket.connect({asio::ip::make_address("127.0.0.1"), port});
        ws_.set_option(boost::beast::websocket::stream_base::decorator(
            [origin](boost::beast::websocket::request_type& request) {
                if (!origin.empty()) request.set(boost::beast::http::field::origin, origin);
            }));
        const auto ec = await(std::chrono::seconds(5), [&](auto done) {
            ws_.async_handshake(response_, "127.0.0.1:" + std::to_string(port), "/ws", done);
        });
        status_ = ec ? response_.result_int() : 101;
        if (ec && status_ == 101) status_ = 0;  // the connection failed, no answer
    }

    unsigned handshake_status() const { return status_; }
    const boost::beast::websocket::response_type& handshake_response() const { return response_; }

    void send(const std::string& text) {
        await(std::chrono::seconds(5), [&](auto done) { ws_.async_write(asio::buffer(text), done); });
    }
    void say(const std::string& text) { send(R"({"type":"say","text":)" + quoted(text) + "}"); }
    void join(const std::string& name) { send(R"({"type":"join","name":)" + quoted(name) + "}"); }

    // The next frame, as a JSON object; nullopt when the connection ends or the deadline passes.
    std::optional<boost::json::object> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        boost::beast::flat_buffer buffer;
        const auto ec = await(timeout, [&](auto done) { ws_.async_read(buffer, done); });
        if (ec) return std::nullopt;
        ++frames_;
        auto value = boost::json::parse(boost::beast::buffers_to_string(buffer.data()));
        if (!value.is_object()) return boost::json::object{{"type", "(not an object)"}};
        return value.as_object();
    }
    // Skips frames until one of `type` whose `field` is `value` (any, if `field` is empty).
    std::optional<boost::json::object> wait_for(const std::string& type, const std::string& field = {},
                                                const std::string& value = {},
                                                std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        while (auto frame = next(timeout)) {
            if (text_of(*frame, "type") != type) continue;
            if (field.empty() || text_of(*frame, field) == value) return frame;
        }
        return std::nullopt;
    }
    // Reads until the server closes the WebSocket; its close code, or nullopt when it does not
    // close within `timeout`.
    std::optional<unsigned> close_code(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return std::nullopt;
            boost::beast::flat_buffer buffer;
            const auto ec = await(left, [&](auto done) { ws_.async_read(buffer, done); });
            // A close frame came (its code is kept), even if the TCP teardown after it failed.
            if (ec == boost::beast::websocket::error::closed || (ec && ws_.reason().code != 0))
                return ws_.reason().code;
            if (ec) {
                last_error_ = ec;
                return std::nullopt;
            }
            last_before_close_ = boost::beast::buffers_to_string(buffer.data());
        }
    }
    const std::string& last_before_close() const { return last_before_close_; }
    std::size_t frames() const { return frames_; }
    boost::system::error_code last_error() const { return last_error_; }

    static std::string text_of(const boost::json::object& o, const std::string& key) {
        const auto* v = o.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    }
    static std::string quoted(const std::string& text) { return boost::json::serialize(boost::json::value(text)); }

private:
    // Starts one operation with `start(handler)` and runs it for at most `timeout`; on timeout the
    // socket is closed (the operation then ends) and timed_out is returned.
    template <class Start>
    boost::system::error_code await(std::chrono::milliseconds timeout, Start start) {
        std::optional<boost::system::error_code> result;
        start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
        io_.restart();
        io_.run_for(timeout);
        if (!result) {
            boost::system::error_code ignored;
            ws_.next_layer().close(ignored);
            io_.restart();
            io_.run();
            return asio::error::timed_out;
        }
        return *result;
    }

    asio::io_context io_;
    stream ws_;
    boost::beast::websocket::response_type response_;
    unsigned status_ = 0;
    std::size_t frames_ = 0;
    std::string last_before_close_;
    boost::system::error_code last_error_;
};

}  // namespace netkit::test
