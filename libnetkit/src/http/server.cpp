#include <netkit/http/server.hpp>

#include <netkit/tcp_session.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace netkit::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::as_tuple;
using asio::use_awaitable;

router& router::get(std::string path, handler h) {
    routes_.insert_or_assign(std::move(path), std::move(h));
    return *this;
}

const handler* router::find(std::string_view path) const {
    const auto it = routes_.find(path.substr(0, path.find('?')));
    return it == routes_.end() ? nullptr : &it->second;
}

namespace {

response error_page(unsigned status, std::string text) { return {status, "text/plain; charset=utf-8", text + "\n"}; }

class session final : public tcp_session {
public:
    session(tcp::socket socket, std::shared_ptr<const router> routes, server_options options)
        : tcp_session(std::move(socket)),
          routes_(std::move(routes)),
          options_(options),
          deadline_timer_(socket_.get_executor()),
          deadline_(std::chrono::steady_clock::now() + options_.idle_timeout) {}

    asio::awaitable<void> run() override {
        using namespace asio::experimental::awaitable_operators;
        co_await (serve() || watchdog());
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

private:
    // Request after request, like the lesson's blocking loop: read, answer, until the client is
    // done, breaks a rule or lets the connection idle.
    asio::awaitable<void> serve() {
        // Room for more than the header limit, so an oversized header is reported as such (431)
        // rather than as a full buffer.
        beast::flat_buffer buffer(2 * options_.max_header_bytes);
        for (;;) {
            deadline_ = std::chrono::steady_clock::now() + options_.idle_timeout;
            bhttp::request_parser<bhttp::empty_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
            auto [ec, n] = co_await bhttp::async_read_header(socket_, buffer, parser, as_tuple(use_awaitable));
            if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
                ec == asio::error::bad_descriptor)
                co_return;
            if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
                co_await send(error_page(431, "request headers larger than " +
                                                  std::to_string(options_.max_header_bytes) + " bytes"),
                              false);
                co_return;
            }
            if (ec) {
                co_await send(error_page(400, "malformed request: " + ec.message()), false);
                co_return;
            }
            const auto& request = parser.get();
            // A body is never expected: rather than read and discard one, refuse and close.
            if (!parser.is_done()) {
                co_await send(error_page(413, "requests carry no body here"), false);
                co_return;
            }
            const bool keep_alive = request.keep_alive();
            response answer;
            if (request.method() != bhttp::verb::get) {
                answer = error_page(405, "only GET is served here");
            } else if (const handler* h = routes_->find(request.target())) {
                answer = (*h)();
            } else {
                answer = error_page(404, "no such path");
            }
            if (!co_await send(std::move(answer), keep_alive) || !keep_alive) co_return;
        }
    }

    asio::awaitable<bool> send(response answer, bool keep_alive) {
        deadline_ = std::chrono::steady_clock::now() + options_.idle_timeout;
        bhttp::response<bhttp::string_body> out(static_cast<bhttp::status>(answer.status), 11);
        out.set(bhttp::field::server, "netkit");
        out.set(bhttp::field::content_type, answer.content_type);
        if (answer.status == 405) out.set(bhttp::field::allow, "GET");
        out.keep_alive(keep_alive);
        out.body() = std::move(answer.body);
        out.prepare_payload();
        auto [ec, n] = co_await bhttp::async_write(socket_, out, as_tuple(use_awaitable));
        co_return !ec;
    }

    // Ends the session (and so the other branch of run()'s race) once the deadline has passed.
    asio::awaitable<void> watchdog() {
        for (;;) {
            deadline_timer_.expires_at(deadline_);
            auto [ec] = co_await deadline_timer_.async_wait(as_tuple(use_awaitable));
            if (ec) co_return;  // the session ended first
            if (std::chrono::steady_clock::now() >= deadline_) {
                boost::system::error_code ignored;
                socket_.close(ignored);  // fails whatever serve() waits for
                co_return;
            }
        }
    }

    std::shared_ptr<const router> routes_;
    const server_options options_;
    asio::steady_timer deadline_timer_;
    std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

tcp_server::session_factory session_factory(std::shared_ptr<const router> routes, server_options options) {
    return [routes = std::move(routes), options](tcp::socket socket) -> std::shared_ptr<tcp_session> {
        return std::make_shared<session>(std::move(socket), routes, options);
    };
}

}  // namespace netkit::http
