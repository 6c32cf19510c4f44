// chat::redis_bus against a private redis-server: events cross between two buses and never come
// back to their sender, names are unique across nodes, expire when their node dies, and both
// buses recover when Redis restarts.
#include "support/redis_server.hpp"

#include <netkit/chat/redis_bus.hpp>

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

using namespace netkit;
using namespace std::chrono_literals;
using netkit::chat::chat_event;

namespace {

// What one bus delivered, waited on from the test thread.
class inbox {
public:
    void add(chat_event e) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(e));
        changed_.notify_all();
    }
    // True once an event with `text` arrived (within `timeout`).
    bool wait_text(const std::string& text, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return count_locked(text) > 0; });
    }
    std::size_t count(const std::string& text) {
        std::lock_guard lock(mutex_);
        return count_locked(text);
    }
    std::vector<chat_event> all() {
        std::lock_guard lock(mutex_);
        return events_;
    }

private:
    std::size_t count_locked(const std::string& text) const {
        return std::count_if(events_.begin(), events_.end(), [&](const chat_event& e) { return e.text == text; });
    }
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<chat_event> events_;
};

chat::redis_bus_options fast_options(const test::redis_server& redis) {
    chat::redis_bus_options o;
    o.port = redis.port();
    o.prefix = "test";
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    o.claim_timeout = 1s;
    o.stop_linger = 200ms;
    return o;
}

// One bus on its own io_context and thread, like a node.
class node {
public:
    explicit node(chat::redis_bus_options options) : log_(log_level::off), work_(io_.get_executor()) {
        bus_ = std::make_unique<chat::redis_bus>(io_, std::move(options), log_);
        bus_->on_remote_event([this](chat_event e) { received.add(std::move(e)); });
        bus_->on_name_lost([this](std::string key, asio::any_io_executor) {
            lost.add({chat_event::kind::left, key, "lost " + key});
        });
        bus_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~node() { crash(); }

    chat::redis_bus& bus() { return *bus_; }
    chat::claim_result claim_result_of(const std::string& key) {
        return asio::co_spawn(io_, bus_->claim_name(key), asio::use_future).get();
    }
    bool claim(const std::string& key) { return claim_result_of(key) == chat::claim_result::claimed; }
    bool taken(const std::string& key) { return claim_result_of(key) == chat::claim_result::taken; }
    void say(const std::string& text) { bus_->publish({chat_event::kind::message, "someone", text}); }
    // Ends abruptly: no stop(), the sockets are just closed (as when the process dies).
    void crash() {
        if (!bus_) return;
        io_.stop();
        thread_.join();
        bus_.reset();
    }

    inbox received;
    inbox lost;  // names the bus gave up to an earlier claim: "lost KEY"

private:
    logger log_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::unique_ptr<chat::redis_bus> bus_;
    std::thread thread_;
};

// Subscriptions are up once a probe from `from` reaches `to` (a probe is re-sent until then).
void wait_linked(node& from, node& to) {
    static int serial = 0;
    const std::string probe = "probe-" + std::to_string(++serial);
    for (int attempt = 0; attempt < 100; ++attempt) {
        from.say(probe);
        if (to.received.wait_text(probe, 50ms)) return;
    }
    BOOST_FAIL("the two buses never linked through Redis");
}

// Polls a condition that has no signal of its own (a key disappearing from Redis).
template <class Condition> bool eventually(Condition c, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (c()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return c();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redis_bus)

BOOST_AUTO_TEST_CASE(url_parsing) {
    std::string error;
    auto o = chat::parse_redis_url("redis://127.0.0.1:6380/room1", error);
    BOOST_REQUIRE(o);
    BOOST_TEST(o->host == "127.0.0.1");
    BOOST_TEST(o->port == 6380);
    BOOST_TEST(o->prefix == "room1");
    o = chat::parse_redis_url("redis://[::1]:7000", error);
    BOOST_REQUIRE(o);
    BOOST_TEST(o->host == "::1");
    BOOST_TEST(o->port == 7000);
    BOOST_TEST(o->prefix == "netkit-chat");
    o = chat::parse_redis_url("redis://cache.local", error);
    BOOST_REQUIRE(o);
    BOOST_TEST(o->port == 6379);
    for (const char* bad : {"", "http://x:1", "redis://", "redis://:6379", "redis://h:0", "redis://h:99999",
                            "redis://h:12a", "redis://h:", "redis://[::1", "redis://h:1/bad prefix"}) {
        BOOST_TEST(!chat::parse_redis_url(bad, error), bad);
        BOOST_TEST(!error.empty(), bad);
    }
}

BOOST_AUTO_TEST_CASE(event_encoding) {
    std::string node;
    for (auto kind : {chat_event::kind::message, chat_event::kind::joined, chat_event::kind::left}) {
        const chat_event e{kind, "b o b", kind == chat_event::kind::message ? "hi\nthere " : ""};
        auto back = chat::decode_event(chat::encode_event("n1", e), node);
        BOOST_REQUIRE(back);
        BOOST_TEST(node == "n1");
        BOOST_TEST((back->type == kind));
        BOOST_TEST(back->name == e.name);
        BOOST_TEST(back->text == e.text);
    }
    for (const char* bad : {"", "v1", "v2 n m 1 ab", "v1 n x 1 ab", "v1 n m 9 ab", "v1 n m 0 ab", "v1 n j 1 ab",
                            "v1 n m -1 ab", "v1  m 1 ab"})
        BOOST_TEST(!chat::decode_event(bad, node), bad);
}

BOOST_AUTO_TEST_CASE(takeover_encoding) {
    std::string node;
    const auto payload = chat::encode_takeover("n1", {"anna", "0123456789abcdef"});
    BOOST_TEST(payload == "v1 n1 t 4 anna0123456789abcdef");
    auto back = chat::decode_takeover(payload, node);
    BOOST_REQUIRE(back);
    BOOST_TEST(node == "n1");
    BOOST_TEST(back->key == "anna");
    BOOST_TEST(back->holder == "0123456789abcdef");
    BOOST_TEST(!chat::decode_event(payload, node));  // never taken for a chat event
    for (const char* bad : {"v1 n t 4 anna", "v1 n t 4 annaa b", "v1 n m 4 annab", "v1 n t 0 x", "v2 n t 1 ab"})
        BOOST_TEST(!chat::decode_takeover(bad, node), bad);
}

BOOST_AUTO_TEST_CASE(events_cross_once_and_not_back) {
    test::redis_server redis;
    node a(fast_options(redis)), b(fast_options(redis));
    wait_linked(a, b);
    wait_linked(b, a);
    a.say("from a");
    BOOST_TEST(b.received.wait_text("from a"));
    b.say("from b");  // Redis keeps channel order: once A has this, it would have had its own by now
    BOOST_TEST(a.received.wait_text("from b"));
    BOOST_TEST(a.received.count("from a") == 0u);
    BOOST_TEST(b.received.count("from b") == 0u);
    BOOST_TEST(b.received.count("from a") == 1u);
    a.bus().publish({chat_event::kind::joined, "Zoë", ""});
    a.say("after join");
    BOOST_REQUIRE(b.received.wait_text("after join"));
    auto got = b.received.all();
    auto joined = std::find_if(got.begin(), got.end(), [](const chat_event& e) { return e.type == chat_event::kind::joined; });
    BOOST_REQUIRE(joined != got.end());
    BOOST_TEST(joined->name == "Zoë");
}

BOOST_AUTO_TEST_CASE(prefixes_separate_chats) {
    test::redis_server redis;
    auto other = fast_options(redis);
    other.prefix = "elsewhere";
    node a(fast_options(redis)), b(fast_options(redis)), c(other);
    wait_linked(a, b);
    a.say("only same prefix");
    BOOST_TEST(b.received.wait_text("only same prefix"));
    BOOST_TEST(c.claim("alice"));
    BOOST_TEST(a.claim("alice"));  // another chat's name
    BOOST_TEST(c.received.count("only same prefix") == 0u);
}

BOOST_AUTO_TEST_CASE(names_are_unique_across_nodes) {
    test::redis_server redis;
    node a(fast_options(redis)), b(fast_options(redis));
    wait_linked(a, b);
    BOOST_TEST(a.claim("alice"));
    BOOST_TEST(b.taken("alice"));
    BOOST_TEST(a.taken("alice"));  // a second local claim is refused too
    BOOST_TEST(b.claim("bob"));
    // The lease: Redis's own clock (TIME, µs, 16 digits) when A claimed it, then A's node id.
    const std::string lease = redis.command({"GET", "test:name:alice"});
    BOOST_REQUIRE(lease.size() == 17 + a.bus().node_id().size());
    BOOST_TEST(lease.substr(16) == ":" + a.bus().node_id());
    const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    BOOST_TEST(std::llabs(std::stoll(lease.substr(0, 16)) - now_us) < 60'000'000);
    a.bus().release_name("alice");
    BOOST_TEST(eventually([&] { return redis.command({"EXISTS", "test:name:alice"}) == "0"; }, 3s));
    BOOST_TEST(b.claim("alice"));
    b.bus().release_name("nobody");  // not held: nothing happens
    a.bus().release_name("bob");     // held by B: A must not free it
    a.say("barrier");
    BOOST_TEST(b.received.wait_text("barrier"));
    BOOST_TEST(redis.command({"EXISTS", "test:name:bob"}) == "1");
}

BOOST_AUTO_TEST_CASE(names_are_refreshed_and_expire_when_the_node_dies) {
    test::redis_server redis;
    auto o = fast_options(redis);
    o.name_ttl = 600ms;
    o.refresh_every = 150ms;
    node a(o), b(o);
    wait_linked(a, b);
    BOOST_TEST(a.claim("carol"));
    // Alive: the name outlives several TTLs because A refreshes it.
    std::this_thread::sleep_for(3 * o.name_ttl);
    BOOST_TEST(b.taken("carol"));
    a.crash();  // no release, no DEL
    BOOST_TEST(b.taken("carol"));
    BOOST_TEST(eventually([&] { return b.claim("carol"); }, o.name_ttl + 1s));
}

BOOST_AUTO_TEST_CASE(clean_stop_releases_names_at_once) {
    test::redis_server redis;
    auto o = fast_options(redis);
    o.name_ttl = 60s;  // only the DEL on stop can free the name within this test
    node a(o), b(o);
    wait_linked(a, b);
    BOOST_TEST(a.claim("dave"));
    BOOST_TEST(b.taken("dave"));
    a.bus().stop();
    BOOST_TEST(eventually([&] { return redis.command({"EXISTS", "test:name:dave"}) == "0"; }, 3s));
    BOOST_TEST(b.claim("dave"));
    BOOST_TEST(!a.claim("erin"));  // a stopped bus claims nothing
    BOOST_TEST(redis.command({"EXISTS", "test:name:erin"}) == "0");
}

BOOST_AUTO_TEST_CASE(redis_restart_recovers) {
    test::redis_server redis;
    auto o = fast_options(redis);
    o.refresh_every = 100ms;
    node a(o), b(o);
    wait_linked(a, b);
    BOOST_TEST(a.claim("frank"));
    redis.kill();
    // Down: nothing crashes, events are dropped, claims are answered at once as unreachable (the
    // bus cannot tell; each node keeps its own claim until Redis is back).
    a.say("lost while down");
    b.say("lost while down too");
    const auto asked = std::chrono::steady_clock::now();
    BOOST_TEST((b.claim_result_of("grace") == chat::claim_result::unreachable));
    BOOST_TEST((a.claim_result_of("heidi") == chat::claim_result::unreachable));
    BOOST_TEST((std::chrono::steady_clock::now() - asked < o.claim_timeout));
    redis.start();  // same port, empty
    wait_linked(a, b);
    wait_linked(b, a);
    // Each takes its names back after reconnecting, those claimed while down too.
    auto held_by = [&](const std::string& key, node& n) {
        return eventually([&] { return redis.command({"GET", "test:name:" + key}).ends_with(":" + n.bus().node_id()); }, 3s);
    };
    BOOST_TEST(held_by("frank", a));
    BOOST_TEST(held_by("heidi", a));
    BOOST_TEST(held_by("grace", b));
    BOOST_TEST(b.taken("frank"));
    BOOST_TEST(a.taken("grace"));
    BOOST_TEST(b.claim("ivy"));
    a.say("after restart");
    BOOST_TEST(b.received.wait_text("after restart"));
    BOOST_TEST(b.received.count("lost while down") == 0u);
}

BOOST_AUTO_TEST_CASE(no_redis_at_all) {
    auto port_holder = std::make_unique<test::redis_server>();
    auto o = fast_options(*port_holder);
    port_holder.reset();  // nothing listens there any more
    node a(o);
    a.say("nobody hears this");
    BOOST_TEST((a.claim_result_of("ivan") == chat::claim_result::unreachable));
    a.bus().stop();
    BOOST_TEST((a.claim_result_of("ivan") == chat::claim_result::unreachable));
}

// What a node does with a name it claimed during a split, once Redis is back and another node
// (played here by the test, writing the lease) also claimed it: the earlier claim keeps it.
BOOST_AUTO_TEST_CASE(a_clash_after_a_split_goes_to_the_earlier_claim) {
    test::redis_server redis;
    auto o = fast_options(redis);
    o.refresh_every = 100ms;
    node a(o);
    BOOST_TEST(a.claim("zed"));  // linked
    redis.kill();
    BOOST_TEST((a.claim_result_of("anna") == chat::claim_result::unreachable));
    redis.start();
    const std::string suffix = ":" + a.bus().node_id();
    BOOST_REQUIRE(eventually([&] { return redis.command({"GET", "test:name:anna"}).ends_with(suffix); }, 3s));
    // The lease is "<16-digit µs>:<node>", from this host's clock since Redis could not be asked.
    const std::string lease = redis.command({"GET", "test:name:anna"});
    BOOST_REQUIRE(lease.size() == 16 + suffix.size());
    const auto claimed_at = std::stoll(lease.substr(0, 16));
    const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    BOOST_TEST(claimed_at <= now_us);
    BOOST_TEST(claimed_at > now_us - 60'000'000);
    // Another node's later claim: A takes the name back, and keeps its user.
    const std::string later = std::to_string(claimed_at + 1);  // 16 digits, as the lease's
    BOOST_TEST(redis.command({"SET", "test:name:anna", later + ":ffffffffffffffff"}) == "OK");
    BOOST_TEST(eventually([&] { return redis.command({"GET", "test:name:anna"}) == lease; }, 3s));
    BOOST_TEST(a.lost.count("lost anna") == 0u);
    // An earlier one: A gives the name up (leaves the key alone) and tells its hub.
    const std::string earlier = "0000000000000001:0000000000000000";
    BOOST_TEST(redis.command({"SET", "test:name:anna", earlier}) == "OK");
    BOOST_TEST(a.lost.wait_text("lost anna"));
    BOOST_TEST(redis.command({"GET", "test:name:anna"}) == earlier);
    BOOST_TEST(a.lost.count("lost zed") == 0u);
}

// The takeover notice makes the holder check its claim at once (not at its next renewal), and only
// the rule in Redis decides: a forged notice takes no name.
BOOST_AUTO_TEST_CASE(a_takeover_notice_makes_the_holder_check_at_once) {
    test::redis_server redis;
    auto o = fast_options(redis);
    o.refresh_every = 60s;  // no renewal within this test
    o.name_ttl = 120s;
    node a(o), b(o);
    wait_linked(a, b);
    BOOST_TEST(b.claim("anna"));
    BOOST_TEST(b.claim("bob"));
    const std::string holder = b.bus().node_id();
    // Forged: nobody holds "bob" with an earlier claim. The command connection answers in order,
    // so once a later claim is answered, B has settled the notice's check.
    redis.command({"PUBLISH", "test:events", chat::encode_takeover("0123456789abcdef", {"bob", holder})});
    a.say("barrier 1");
    BOOST_TEST(b.received.wait_text("barrier 1"));
    BOOST_TEST(b.claim("carol"));
    BOOST_TEST(b.lost.count("lost bob") == 0u);
    BOOST_TEST(redis.command({"GET", "test:name:bob"}).ends_with(":" + holder));
    // Real: another node's earlier claim holds "anna" now.
    const std::string earlier = "0000000000000001:0123456789abcdef";
    BOOST_TEST(redis.command({"SET", "test:name:anna", earlier}) == "OK");
    redis.command({"PUBLISH", "test:events", chat::encode_takeover("0123456789abcdef", {"anna", holder})});
    BOOST_TEST(b.lost.wait_text("lost anna"));
    BOOST_TEST(redis.command({"GET", "test:name:anna"}) == earlier);
}

BOOST_AUTO_TEST_SUITE_END()
