// A Redis connection that comes back by itself: the host is resolved with Asio's resolver (hiredis
// would block on DNS), and a connection that fails or is lost is retried after reconnect_min, then
// with a doubling delay up to reconnect_max. Everything, the handlers included, runs on one strand.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/log.hpp>
#include <netkit/redis/connection.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace netkit::redis {

struct link_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::chrono::milliseconds reconnect_min{100};   // first retry after a lost connection...
    std::chrono::milliseconds reconnect_max{5000};  // ...doubling up to this
};

class link : public std::enable_shared_from_this<link> {
public:
    struct handlers {
        std::function<void(connection&)> up;  // connected (again): subscribe, send what waited
        std::function<void()> down;           // the connection is gone (failed, lost or closed)
    };

    // `name` begins its log records ("chat bus: subscriber"); `log` must outlive the link.
    // Make it with std::make_shared: its pending operations keep it alive.
    link(strand on, link_options options, std::string name, logger& log, handlers h);

    // All members below: call on the strand (or once the io_context no longer runs).
    void start();
    // No more retries; an open connection closes after its pending replies, then `down` is called.
    void close();
    void abandon();  // at once, without calling any handler again

    bool up() const { return conn_ && conn_->is_connected(); }
    // It failed since it last worked: a caller need not wait for it to come back.
    bool known_down() const { return !up() && failures_ > 0; }
    bool has_connection() const { return conn_ != nullptr; }
    connection& conn() const { return *conn_; }  // only while up()
    std::string address() const;

private:
    void connect();
    void connected();
    void lost(const std::string& why);

    strand strand_;
    tcp::resolver resolver_;
    asio::steady_timer retry_;
    link_options options_;
    std::string name_;
    logger& log_;
    handlers handlers_;
    std::shared_ptr<connection> conn_;
    std::chrono::milliseconds backoff_;
    unsigned failures_ = 0;    // since the connection last worked
    unsigned generation_ = 0;  // of the current connection attempt
    bool running_ = false;
};

}  // namespace netkit::redis
