// Two chat nodes in this process, each a server_host with its own hub and redis_bus, sharing one
// private redis-server: real clients of both protocols on each node.
#include "support/chat_peer.hpp"
#include "support/redis_server.hpp"

#include <netkit/chat/chat_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/redis_bus.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/length_header.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>


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
        room_ = std::make_unique<chat::hub>(host_.io().get_executor(), *bus_, log_);
        header_port = host_.add_tcp({.label = "header"}, chat::session_factory(*room_, {}, log_, chat::header_protocol()))
                          .local_endpoint().port();
        line_port = host_.add_tcp({.label = "line"}, chat::session_factory(*room_, {}, log_, chat::line_protocol()))
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

using client = test::chat_peer;

// A line client that asks for `name` and reads up to its own join notice; false if refused.
std::unique_ptr<client> line_user(unsigned short port, const std::string& name) {
    auto c = std::make_unique<client>(port);
    BOOST_REQUIRE(c->wait_line("Type your name and press Enter."));
    c->send_line(name);
    auto answer = c->line();
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
        speaker.send_line(probe);
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
    bob.send_frame("bob");
    BOOST_TEST(bob.wait_event("server", "bob joined the chat"));
    BOOST_TEST(alice->wait_line("bob joined the chat"));  // join notices cross too

    alice->send_line("hello from A");
    BOOST_TEST(bob.wait_event("alice", "hello from A"));
    BOOST_TEST(carol->wait_line("alice: hello from A"));
    bob.send_frame("hello from B");
    BOOST_TEST(alice->wait_line("bob: hello from B"));
    BOOST_TEST(carol->wait_line("bob: hello from B"));
    // alice saw her own line once (locally), not a second time through Redis.
    carol->send_line("marker");
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
    other.send_line("DAVE");
    auto answer = other.line();
    BOOST_REQUIRE(answer);
    BOOST_TEST(answer->starts_with("name refused"), *answer);
    // Header protocol on B: one notice, then closed.
    client header(b.header_port);
    header.send_frame("dave");
    auto from = header.frame(), text = header.frame();
    BOOST_REQUIRE(from && text);
    BOOST_TEST(*from == "server");
    BOOST_TEST(text->starts_with("name refused"), *text);
    BOOST_TEST(header.closed_by_server());
    // Dave leaves: the name is free on B.
    dave->send_line("{quit}");
    BOOST_TEST(dave->closed_by_server());
    bool taken = false;
    for (int attempt = 0; attempt < 100 && !taken; ++attempt) {  // the release travels through Redis
        BOOST_REQUIRE(other.wait_line("Type your name and press Enter."));
        other.send_line("dave");
        auto reply = other.line();
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
    // Down: each node's own users still talk; a new name is checked on its node only.
    auto heidi = line_user(a.line_port, "heidi");
    BOOST_TEST(static_cast<bool>(heidi));
    frank->send_line("while Redis is down");
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

// The report's case: with Redis down, a new user is not refused as "already taken", and is told its
// name was checked on this node only; the same name on two nodes is settled once Redis is back.
BOOST_AUTO_TEST_CASE(names_taken_while_redis_is_down_are_settled_when_it_returns) {
    test::redis_server redis;
    chat_node a(redis), b(redis);
    auto xavier = line_user(a.line_port, "xavier");
    auto yvonne = line_user(b.line_port, "yvonne");
    BOOST_REQUIRE(xavier && yvonne);
    wait_linked(*xavier, "xavier", *yvonne);
    redis.kill();

    // Line protocol on A: welcomed at once (not after the claim timeout), then told.
    client first(a.line_port);
    BOOST_REQUIRE(first.wait_line("Type your name and press Enter."));
    const auto asked = std::chrono::steady_clock::now();
    first.send_line("anna");
    BOOST_TEST(first.line().value_or("(none)").starts_with("Welcome anna! Users here: "));
    BOOST_TEST((std::chrono::steady_clock::now() - asked < 1s));
    BOOST_TEST(first.line().value_or("(none)") == chat::checked_here_only_notice);
    BOOST_TEST(first.wait_line("anna joined the chat"));
    // Header protocol on B, later: the same name is accepted there too, with the notice.
    client second(b.header_port);
    second.send_frame("anna");
    auto notice = second.event();
    BOOST_REQUIRE(notice);
    BOOST_TEST(notice->first == "server");
    BOOST_TEST(notice->second == std::string(chat::checked_here_only_notice));
    BOOST_TEST(second.wait_event("server", "anna joined the chat"));

    redis.start();
    // B's claim is the later one: its anna becomes anna~2, is told, and B's users see it.
    BOOST_TEST(second.wait_event("server", chat::renamed_text("anna", "anna~2"), 10s));
    BOOST_TEST(yvonne->wait_line("anna left the chat"));
    BOOST_TEST(yvonne->wait_line("anna~2 joined the chat"));
    wait_linked(*xavier, "xavier", *yvonne);
    wait_linked(*yvonne, "yvonne", *xavier);
    second.send_frame("I am the second");
    BOOST_TEST(xavier->wait_line("anna~2: I am the second"));
    first.send_line("I am still anna");
    BOOST_TEST(yvonne->wait_line("anna: I am still anna"));
    // Only one was renamed: the first never heard of it.
    BOOST_TEST(first.wait_line("anna~2: I am the second"));
    BOOST_TEST(first.pending().find("you are now") == std::string::npos);
    // No two users share a name any more, on either node.
    BOOST_TEST(!line_user(b.line_port, "anna"));
    BOOST_TEST(!line_user(a.line_port, "anna"));
    BOOST_TEST(!line_user(a.line_port, "Anna~2"));
    BOOST_TEST(redis.command({"EXISTS", "chat-test:name:anna~2"}) == "1");
}

BOOST_AUTO_TEST_SUITE_END()
