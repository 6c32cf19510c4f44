// The chat bus of a node that shares its chat with other nodes through Redis: events travel on a
// pub/sub channel, names are leases (keys with an expiry) this node keeps refreshing. Its two
// connections are redis::links (reconnecting with backoff) on the node's io_context; see
// docs/scaling-out.md.
#pragma once

#include <netkit/chat/bus.hpp>
#include <netkit/chat/chat_metrics.hpp>
#include <netkit/chat/event_codec.hpp>
#include <netkit/log.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

struct redis_bus_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    // Channel "<prefix>:events", name keys "<prefix>:name:<key>": nodes with the same prefix share a chat.
    std::string prefix = "netkit-chat";
    std::chrono::milliseconds name_ttl{15000};      // a crashed node's names are free after this
    std::chrono::milliseconds refresh_every{5000};  // the owning node renews its names this often
    std::chrono::milliseconds claim_timeout{2000};  // no connection or answer by then: checked here only
    std::chrono::milliseconds reconnect_min{100};   // first retry after a lost connection...
    std::chrono::milliseconds reconnect_max{5000};  // ...doubling up to this
    std::chrono::milliseconds stop_linger{2000};    // after stop(), wait this long for local users to leave
    std::size_t max_pending = 10000;                 // commands in flight; beyond, events are dropped
    bus_metrics* metrics = nullptr;                  // where to count; outlives the bus (nullptr: none)
};

// "redis://HOST:PORT[/prefix]" (HOST may be [v6]; redis/url.hpp) into options; nullopt with `error`
// set otherwise.
std::optional<redis_bus_options> parse_redis_url(std::string_view url, std::string& error);

class redis_bus final : public bus {
public:
    // `io` and `log` must outlive the bus. Destroy the bus once the io_context no longer runs.
    redis_bus(asio::io_context& io, redis_bus_options options, logger& log);
    ~redis_bus() override;

    void on_remote_event(std::function<void(chat_event)> deliver) override;
    void start() override;
    void stop() override;
    void on_name_lost(std::function<void(std::string key, asio::any_io_executor where)> lost) override;
    asio::awaitable<claim_result> claim_name(std::string key) override;
    void release_name(std::string key) override;
    void publish(const chat_event& event) override;

    const std::string& node_id() const;
    class impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace netkit::chat
