// Two chat nodes in this process, each a server_host with its own hub and redis_bus, sharing one
// private redis-server: real clients of both protocols on each node.
#include "support/redis_server.hpp"

#include <netkit/chat/header_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/line_session.hpp>
#include <netkit/chat/redis_bus.hpp>
#include <netkit/framing/length_header.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <sstream>
#include <thread>

using namespace netkit;
using namespace std::chrono_literals;

namespace {

// One node: hub + Redis bus + both listeners on ephemeral ports, run on two threads.
class chat_node {
public:
    chat_node(const test::redis_server& redis, std::chrono::milliseconds name_ttl = 15s)
        : log_(log_level::off), host_(log_) {
        chat::redis_bus_options o;
        o.port = redis.port();
        o.prefix = "chat-test";
        o.name_ttl = name_ttl;
        o.refresh_every = name_ttl / 4;
        o.reconnect_min = 20ms;
        o.reconnect_max = 200ms;
        o.stop_linger = 300ms;
        bus_ = std::make_unique<chat::redis_bus>(host_.io(), o, log_);
        room_ = std::make_unique<chat::hub>(*bus_, log_);
        header_port = host_.add_tcp({.label = "header"}, chat::header_session_factory(*room_, {}, log_))
                          .local_endpoint().port();
        line_port = host_.add_tcp({.label = "line"}, chat::line_session_factory(*room_, {}, log_))
                        .local_endpoint().port();
        room_->start();
        host_.on_shutdown([this] { room_->stop(); });
        runner_ = std::thread([this] {
            std::ostringstream announce;
            host_.run(2, 1000ms, announce);
        });
    }
    ~chat_node() {
        if (!runner_.joinable()) return;
        host_.shutdown();
        runner_.join();
    }
    // The process dies: no goodbye to Redis, names stay until they expire.
    void crash() {
        host_.io().stop();
        runner_.join();
        bus_.reset();  // abandons the Redis connections (closes the sockets) without DEL
    }

    unsigned short header_port = 0, line_port = 0;

private:
    logger log_;
    server_host host_;
    std::unique_ptr<chat::redis_bus> bus_;
    std::unique_ptr<chat::hub> room_;
    std::thread runner_;
};

// A blocking client with a deadline on every read.
class client {
public:
    explicit client(unsigned short port) : socket_(io_) {
        socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    }
    void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
    void line(const std::string& text) { send(text + "\n"); }
    void frame(const std::string& payload) { send(framing::length_frame(payload)); }

    std::optional<std::string> next_line(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (auto nl = pending_.find('\n'); nl != std::string::npos) {
                std::string out = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                return out;
            }
            if (!fill(deadline)) return std::nullopt;
        }
    }
    bool wait_line(const std::string& wanted, std::chrono::milliseconds timeout = 5s) {
        while (auto l = next_line(timeout))
            if (*l == wanted) return true;
        return false;
    }
    std::optional<std::string> next_frame(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (pending_.size() < framing::header_length)
            if (!fill(deadline)) return std::nullopt;
        const auto length = framing::parse_length_header(pending_.substr(0, framing::header_length));
        if (!length) return std::nullopt;
        while (pending_.size() < framing::header_length + *length)
            if (!fill(deadline)) return std::nullopt;
        std::string out = pending_.substr(framing::header_length, *length);
        pending_.erase(0, framing::header_length + *length);
        return out;
    }
    bool wait_event(const std::string& name, const std::string& text, std::chrono::milliseconds timeout = 5s) {
        for (;;) {
            auto n = next_frame(timeout), t = next_frame(timeout);
            if (!n || !t) return false;
            if (*n == name && *t == text) return true;
        }
    }
    bool closed_by_server(std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fill(deadline)) {
        }
        return eof_;
    }
    const std::string& pending() const { return pending_; }

private:
    bool fill(std::chrono::steady_clock::time_point deadline) {
        if (eof_) return false;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() < 0) return false;
            pollfd p{socket_.native_handle(), POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return false;
            char chunk[16384];
            const ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof chunk, 0);
            if (n <= 0) {
                eof_ = true;
                return false;
            }
            pending_.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
    }
    asio::io_context io_;
    tcp::socket socket_;
    std::string pending_;
    bool eof_ = false;
};

// A line client that asks for `name` and reads up to its own join notice; false if refused.
std::unique_ptr<client> line_user(unsigned short port, const std::string& name) {
    auto c = std::make_unique<client>(port);
    BOOST_REQUIRE(c->wait_line("Type your name and press Enter."));
    c->line(name);
    auto answer = c->next_line();
    BOOST_REQUIRE(answer);
    if (answer->starts_with("name refused")) return nullptr;
    BOOST_REQUIRE(c->wait_line(name + " joined the chat"));
    return c;
}

// Both nodes' subscriptions are up once a line from `speaker` on one node reaches `listener` on
// the other (re-sent until then: the buses connect in the background).
void wait_linked(client& speaker, const std::string& speaker_name, client& listener) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string probe = "probe " + std::to_string(attempt);
        speaker.line(probe);
        if (listener.wait_line(speaker_name + ": " + probe, 50ms)) return;
    }
    BOOST_FAIL("the nodes never linked through Redis");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redis_chat)

BOOST_AUTO_TEST_CASE(messages_cross_both_ways_and_both_protocols) {
    test::redis_server redis;
    chat_node a(redis), b(redis);
    auto alice = line_user(a.line_port, "alice");  // line, node A
    auto carol = line_user(b.line_port, "carol");  // line, node B
    BOOST_REQUIRE(alice && carol);
    wait_linked(*alice, "alice", *carol);
    wait_linked(*carol, "carol", *alice);
    client bob(b.header_port);  // header, node B
    bob.frame("bob");
    BOOST_TEST(bob.wait_event("server", "bob joined the chat"));
    BOOST_TEST(alice->wait_line("bob joined the chat"));  // join notices cross too

    alice->line("hello from A");
    BOOST_TEST(bob.wait_event("alice", "hello from A"));
    BOOST_TEST(carol->wait_line("alice: hello from A"));
    bob.frame("hello from B");
    BOOST_TEST(alice->wait_line("bob: hello from B"));
    BOOST_TEST(carol->wait_line("bob: hello from B"));
    // alice saw her own line once (locally), not a second time through Redis.
    carol->line("marker");
    BOOST_TEST(alice->wait_line("carol: marker"));
    BOOST_TEST(alice->pending().find("hello from A") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_name_taken_on_one_node_is_refused_on_the_other) {
    test::redis_server redis;
    chat_node a(redis), b(redis);
    auto dave = line_user(a.line_port, "Dave");
    BOOST_REQUIRE(dave);
    // Line protocol on B: refused, and may retry on the same connection.
    client other(b.line_port);
    BOOST_REQUIRE(other.wait_line("Type your name and press Enter."));
    other.line("DAVE");
    auto answer = other.next_line();
    BOOST_REQUIRE(answer);
    BOOST_TEST(answer->starts_with("name refused"), *answer);
    // Header protocol on B: one notice, then closed.
    client header(b.header_port);
    header.frame("dave");
    auto from = header.next_frame(), text = header.next_frame();
    BOOST_REQUIRE(from && text);
    BOOST_TEST(*from == "server");
    BOOST_TEST(text->starts_with("name refused"), *text);
    BOOST_TEST(header.closed_by_server());
    // Dave leaves: the name is free on B.
    dave->line("{quit}");
    BOOST_TEST(dave->closed_by_server());
    bool taken = false;
    for (int attempt = 0; attempt < 100 && !taken; ++attempt) {  // the release travels through Redis
        BOOST_REQUIRE(other.wait_line("Type your name and press Enter."));
        other.line("dave");
        auto reply = other.next_line();
        BOOST_REQUIRE(reply);
        taken = reply->starts_with("Welcome");
        if (!taken) std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST(taken);
}

BOOST_AUTO_TEST_CASE(a_crashed_node_frees_its_names_after_the_expiry) {
    test::redis_server redis;
    const auto ttl = 800ms;
    auto a = std::make_unique<chat_node>(redis, ttl);
    chat_node b(redis, ttl);
    auto erin = line_user(a->line_port, "erin");
    BOOST_REQUIRE(erin);
    BOOST_TEST(!line_user(b.line_port, "erin"));
    a->crash();
    const auto crashed = std::chrono::steady_clock::now();
    std::unique_ptr<client> again;
    while (!again && std::chrono::steady_clock::now() - crashed < ttl + 2s) {
        again = line_user(b.line_port, "erin");
        if (!again) std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(static_cast<bool>(again));
    a.reset();
}

BOOST_AUTO_TEST_CASE(local_chat_survives_a_redis_restart_and_then_links_again) {
    test::redis_server redis;
    chat_node a(redis), b(redis);
    auto frank = line_user(a.line_port, "frank");
    auto grace = line_user(b.line_port, "grace");
    auto ivan = line_user(a.line_port, "ivan");
    BOOST_REQUIRE(frank && grace && ivan);
    wait_linked(*frank, "frank", *grace);
    redis.kill();
    // Down: each node's own users still talk; a new name is refused (the bus cannot tell).
    auto heidi = line_user(a.line_port, "heidi");
    BOOST_TEST(!heidi);
    frank->line("while Redis is down");
    BOOST_TEST(ivan->wait_line("frank: while Redis is down"));
    redis.start();
    wait_linked(*frank, "frank", *grace);
    wait_linked(*grace, "grace", *frank);
    // frank's name was taken back by node A after the reconnect.
    bool held = false;
    for (int attempt = 0; attempt < 100 && !held; ++attempt) {
        held = redis.command({"EXISTS", "chat-test:name:frank"}) == "1";
        if (!held) std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST(held);
    BOOST_TEST(!line_user(b.line_port, "frank"));
}

BOOST_AUTO_TEST_SUITE_END()
