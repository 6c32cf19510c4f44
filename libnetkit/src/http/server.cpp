#include <netkit/http/server.hpp>

#include <netkit/http/request_reader.hpp>
#include <netkit/http/upgrade.hpp>
#include <netkit/tcp_session.hpp>

#include <boost/beast/http.hpp>

#include <optional>

namespace netkit::http {

namespace bhttp = boost::beast::http;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

class session final : public tcp_session {
public:
    session(stream s, std::shared_ptr<const router> routes, server_options options)
        : tcp_session(std::move(s)),
          routes_(std::move(routes)),
          options_(options),
          deadline_timer_(stream_.get_executor()),
          deadline_(std::chrono::steady_clock::now() + options_.idle_timeout) {}

    asio::awaitable<void> run() override {
        // The watchdog runs beside serve() (not raced with ||, whose state would stay allocated
        // for an upgraded connection's whole life) and ends when serve() does; an upgraded
        // connection then runs without it and without the request reader.
        asio::co_spawn(stream_.get_executor(),
                       [self = std::static_pointer_cast<session>(shared_from_this())] { return self->watchdog(); },
                       asio::detached);
        auto handover = co_await serve();
        served_ = true;
        deadline_timer_.cancel();
        if (handover) co_await upgrade(*handover);
        boost::system::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

private:
    // Request after request, like the lesson's blocking loop: read, answer, until the client is
    // done, breaks a rule or lets the connection idle. Each request has `idle_timeout` to arrive.
    // Returns an accepted upgrade request, if one came.
    asio::awaitable<std::optional<reply::upgrade>> serve() {
        request_reader reader(*routes_, options_.max_header_bytes);
        deadline_ = std::chrono::steady_clock::now() + options_.idle_timeout;
        for (;;) {
            auto [ec, n] = co_await stream_.async_read_some(reader.prepare(), as_tuple(use_awaitable));
            if (ec == asio::error::eof) {  // the client is done; a request it cut short gets a 400
                if (auto last = reader.finish()) co_await send(std::move(last->answer), false);
                co_return std::nullopt;
            }
            if (ec) co_return std::nullopt;  // reset, or closed by the watchdog or a stop
            reader.commit(n);
            while (auto reply = reader.next()) {
                if (reply->handover) co_return std::move(reply->handover);
                if (!co_await send(std::move(reply->answer), reply->keep_alive) || !reply->keep_alive)
                    co_return std::nullopt;
                deadline_ = std::chrono::steady_clock::now() + options_.idle_timeout;
            }
        }
    }

    // The connection is a WebSocket now: whatever took it keeps its own time.
    asio::awaitable<void> upgrade(reply::upgrade& handover) {
        upgraded_ = handover.target->take(*this, stream_, std::move(handover.request), std::move(handover.early));
        if (stopping_) upgraded_->stop();
        co_await upgraded_->run();
        upgraded_.reset();  // it holds this session: no cycle once it is done
    }

    void on_stop_requested() override {
        stopping_ = true;
        if (upgraded_) upgraded_->stop();
        else tcp_session::on_stop_requested();
    }

    asio::awaitable<bool> send(response answer, bool keep_alive) {
        deadline_ = std::chrono::steady_clock::now() + options_.idle_timeout;
        bhttp::response<bhttp::string_body> out(static_cast<bhttp::status>(answer.status), 11);
        out.set(bhttp::field::server, "netkit");
        out.set(bhttp::field::content_type, answer.content_type);
        if (answer.status == 405) out.set(bhttp::field::allow, "GET");
        for (const auto& [name, value] : answer.headers) out.set(name, value);
        out.keep_alive(keep_alive);
        out.body() = std::move(answer.body);
        out.prepare_payload();
        auto [ec, n] = co_await bhttp::async_write(stream_, out, as_tuple(use_awaitable));
        co_return !ec;
    }

    // Closes the socket once the deadline has passed, which ends serve(); ends itself when serve()
    // has (a timer that fired just before is ignored: the socket may be a WebSocket's by now).
    asio::awaitable<void> watchdog() {
        for (;;) {
            deadline_timer_.expires_at(deadline_);
            auto [ec] = co_await deadline_timer_.async_wait(as_tuple(use_awaitable));
            if (ec || served_) co_return;
            if (std::chrono::steady_clock::now() >= deadline_) {
                stream_.close();  // fails whatever serve() waits for
                co_return;
            }
        }
    }

    std::shared_ptr<const router> routes_;
    const server_options options_;
    std::shared_ptr<upgraded_connection> upgraded_;  // after an upgrade (strand only)
    bool stopping_ = false;                          // a stop came (strand only)
    asio::steady_timer deadline_timer_;
    bool served_ = false;  // serve() is over: the watchdog ends (strand only)
    std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

tcp_server::session_factory session_factory(std::shared_ptr<const router> routes, server_options options) {
    return [routes = std::move(routes), options](stream s) -> std::shared_ptr<tcp_session> {
        return std::make_shared<session>(std::move(s), routes, options);
    };
}

}  // namespace netkit::http
