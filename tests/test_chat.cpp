// The chat's parts without a network: names, text sanitising, wire encodings and the hub's
// broadcast with fake participants (the outbound pipeline has its own suite, test_outbound.cpp).
#include <netkit/chat/hub.hpp>
#include <netkit/chat/names.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/chat/wire.hpp>

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <span>
#include <sstream>

using namespace netkit;
using namespace netkit::chat;

namespace {

struct fake_participant : participant {
    explicit fake_participant(const chat::protocol& p) : p_(p) {}
    const chat::protocol& protocol() const override { return p_; }
    bool deliver(shared_bytes bytes) override {
        got.push_back(std::move(bytes));
        return false;
    }
    const chat::protocol& p_;
    std::vector<shared_bytes> got;
};

// Runs a hub coroutine to completion (the in-process bus never suspends for long).
std::optional<std::string> claim(hub& h, const std::string& name) {
    asio::io_context io;
    std::optional<std::string> result;
    asio::co_spawn(io, h.claim(name), [&](std::exception_ptr e, std::optional<std::string> r) {
        if (e) std::rethrow_exception(e);
        result = std::move(r);
    });
    io.run();
    return result;
}

// Hands the hub's remote-event callback to the test, as if another node had published.
struct fake_bus final : bus {
    void on_remote_event(std::function<void(chat_event)> deliver) override { remote = std::move(deliver); }
    void start() override {}
    void stop() override {}
    asio::awaitable<claim_result> claim_name(std::string) override { co_return claim_result::claimed; }
    void release_name(std::string) override {}
    void publish(const chat_event&) override {}
    std::function<void(chat_event)> remote;
};

// The texts a participant received since `from`.
std::vector<std::string> texts(const fake_participant& p, std::size_t from = 0) {
    std::vector<std::string> out;
    for (std::size_t i = from; i < p.got.size(); ++i) out.push_back(*p.got[i]);
    return out;
}

using strings = std::vector<std::string>;

struct hub_fixture {
    std::ostringstream log_text;
    logger log{log_level::warn, &log_text};
    in_process_bus bus;
    asio::io_context io;  // runs the hub's announcement timer when a test asks it to
    hub room{io.get_executor(), bus, log};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(chat)

BOOST_AUTO_TEST_CASE(name_rules) {
    BOOST_TEST(!name_problem("alice"));
    BOOST_TEST(!name_problem("Zoë"));
    BOOST_TEST(!name_problem(std::string(32, 'a')));
    BOOST_TEST(name_problem(std::string(33, 'a')).has_value());
    BOOST_TEST(name_problem("").has_value());
    BOOST_TEST(name_problem("server").has_value());
    BOOST_TEST(name_problem("SeRvEr").has_value());
    BOOST_TEST(name_problem("a\nb").has_value());
    BOOST_TEST(name_problem("tab\there").has_value());
    BOOST_TEST(name_problem("esc\x1b[2J").has_value());
    BOOST_TEST(name_problem("bad\xff").has_value());
    BOOST_TEST(name_problem("\xc0\xaf").has_value());  // overlong "/"
    BOOST_TEST(name_key("BoB") == name_key("bob"));
    BOOST_TEST(name_key("ÀB") == name_key("àb"));  // every script's case folds
    BOOST_TEST(name_key("alice") != name_key("bob"));
}

BOOST_AUTO_TEST_CASE(look_alike_names_are_refused_or_share_a_key) {
    // The attacker's examples: refused outright...
    for (const std::string bad : {"anna ", " anna", "an\u200Bna", "\uFEFFanna", "anna\u202E", "\u202Eanna",
                                  "Server ", "server:", "a:b", "\u2066anna\u2069", "anna\u200E", "an\u061Cna",
                                  "anna\u00A0", "anna\u00AD", "\u200Danna", "SERVER", "ѕеrvеr"})
        BOOST_TEST(name_problem(bad).has_value(), "'" << bad << "' was accepted");
    // ... or the same user as the name they imitate.
    BOOST_TEST(!name_problem("аnna"));  // Cyrillic а: a fine name, but not next to Latin anna
    BOOST_TEST(name_key("аnna") == name_key("anna"));
    BOOST_TEST(name_key("AnNa") == name_key("anna"));
    BOOST_TEST(name_key("rn") == name_key("m"));  // confusable by shape (UTS #39)
    BOOST_TEST(name_key("paypa1") == name_key("paypal"));
    // Legitimate names in other scripts still join, and differ from each other.
    for (const std::string good : {"Zoë", "李雷", "Ωmega", "Ana María", "Ольга", "محمد", "अनु"})
        BOOST_TEST(!name_problem(good), "'" << good << "': " << name_problem(good).value_or(""));
    BOOST_TEST(name_key("Zoë") != name_key("Zoe"));
    BOOST_TEST(name_key("李雷") != name_key("李"));
}

BOOST_AUTO_TEST_CASE(utf8_validation_and_repair) {
    BOOST_TEST(is_valid_utf8("plain ascii"));
    BOOST_TEST(is_valid_utf8("caffè €  𝄞"));
    BOOST_TEST(!is_valid_utf8("\xed\xa0\x80"));      // surrogate
    BOOST_TEST(!is_valid_utf8("\xf4\x90\x80\x80"));  // over U+10FFFF
    BOOST_TEST(!is_valid_utf8("\xe2\x82"));          // truncated
    BOOST_TEST(valid_utf8("a\xffz") == "a\xEF\xBF\xBDz");
    BOOST_TEST(valid_utf8("caffè") == "caffè");
}

BOOST_AUTO_TEST_CASE(line_safe_text_cannot_break_a_line) {
    std::string out;
    append_line_safe(out, "hi\n{end_conn}\r\nbob: fake\x1b[2J\tend\xc2\x85");
    BOOST_TEST(out.find('\n') == std::string::npos);
    BOOST_TEST(out.find('\r') == std::string::npos);
    BOOST_TEST(out.find('\x1b') == std::string::npos);
    BOOST_TEST(out == "hi {end_conn}  bob: fake\xEF\xBF\xBD[2J\tend\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(wire_encodings) {
    const chat_event msg{chat_event::kind::message, "bob", "hi\nthere"};
    BOOST_TEST(header_protocol().encode(msg) == "3         bob8         hi\nthere");
    BOOST_TEST(line_protocol().encode(msg) == "bob: hi there\n");
    const chat_event joined{chat_event::kind::joined, "ann", {}};
    BOOST_TEST(header_protocol().encode(joined) == "6         server19        ann joined the chat");
    BOOST_TEST(line_protocol().encode(joined) == "ann joined the chat\n");
    BOOST_TEST(line_protocol().encode({chat_event::kind::left, "ann", {}}) == "ann left the chat\n");
}

BOOST_FIXTURE_TEST_CASE(hub_encodes_once_per_protocol_and_skips_the_header_sender, hub_fixture) {
    auto h1 = std::make_shared<fake_participant>(header_protocol());
    auto h2 = std::make_shared<fake_participant>(header_protocol());
    auto l1 = std::make_shared<fake_participant>(line_protocol());
    auto l2 = std::make_shared<fake_participant>(line_protocol());
    int n = 0;
    for (auto& p : {h1, h2, l1, l2}) {
        const std::string name = "user" + std::to_string(n++);
        BOOST_TEST_REQUIRE(!claim(room, name));
        room.enter(p, name);
    }
    for (auto* p : {h1.get(), h2.get(), l1.get(), l2.get()}) p->got.clear();

    room.say(*h1, "user0", "hello");
    BOOST_TEST(h1->got.empty());  // no echo for the header sender
    BOOST_TEST_REQUIRE(h2->got.size() == 1u);
    BOOST_TEST_REQUIRE(l1->got.size() == 1u);
    BOOST_TEST_REQUIRE(l2->got.size() == 1u);
    BOOST_TEST(l1->got[0].get() == l2->got[0].get());  // one shared buffer, not a copy each
    BOOST_TEST(*l1->got[0] == "user0: hello\n");
    BOOST_TEST(*h2->got[0] == "5         user05         hello");

    room.say(*l1, "user2", "back");
    BOOST_TEST(l1->got.size() == 2u);  // line senders see their own message
    BOOST_TEST(h1->got.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(hub_names_are_unique_case_insensitively_until_left, hub_fixture) {
    auto a = std::make_shared<fake_participant>(line_protocol());
    auto b = std::make_shared<fake_participant>(line_protocol());
    BOOST_TEST(!claim(room, "Alice"));
    BOOST_TEST(claim(room, "alice").has_value());  // claimed, even before enter()
    room.enter(a, "Alice");
    BOOST_TEST(claim(room, "ALICE").value().find("taken") != std::string::npos);
    BOOST_TEST(claim(room, "server").value().find("reserved") != std::string::npos);
    BOOST_TEST(!claim(room, "bob"));
    room.enter(b, "bob");
    BOOST_TEST(room.size() == 2u);
    room.leave(*a, "Alice");
    BOOST_TEST(room.size() == 1u);
    BOOST_TEST(*b->got.back() == "Alice left the chat\n");
    BOOST_TEST(!claim(room, "alice"));  // free again
    room.leave(*a, "alice");            // a claim without enter is just released, silently
    BOOST_TEST(*b->got.back() == "Alice left the chat\n");
    BOOST_TEST(!claim(room, "alice"));
}

BOOST_AUTO_TEST_CASE(wire_encodings_of_a_batch) {
    chat_event batch{chat_event::kind::batch, {}, {}};
    batch.joined = {"ann", "bob"};
    batch.left = {"cy"};
    BOOST_TEST(line_protocol().encode(batch) == "2 joined, 1 left\n");
    BOOST_TEST(header_protocol().encode(batch) == "6         server16        2 joined, 1 left");
    BOOST_TEST(report_protocol().encode(batch) == "2 entrati, 1 usciti");
    batch.left.clear();
    BOOST_TEST(line_protocol().encode(batch) == "2 joined\n");
    batch.joined.clear();
    batch.left = {"cy"};
    BOOST_TEST(line_protocol().encode(batch) == "1 left\n");
}

// Limit 3: joins and leaves of a bigger room (local or from another node) come as one batch per
// interval; shrinking back to the limit sends what was gathered at once and returns to single
// announcements. The io_context runs only when the test lets the interval pass.
BOOST_AUTO_TEST_CASE(hub_announces_a_big_rooms_joins_and_leaves_in_batches) {
    std::ostringstream log_text;
    logger log{log_level::warn, &log_text};
    fake_bus bus;
    asio::io_context io;
    chat_options options;
    options.announce_limit = 3;
    options.announce_interval = std::chrono::milliseconds(20);
    hub room{io.get_executor(), bus, log, options};
    room.start();
    BOOST_TEST_REQUIRE(static_cast<bool>(bus.remote));
    std::map<std::string, std::shared_ptr<fake_participant>> people;
    const auto join = [&](const std::string& name, const netkit::chat::protocol& p = line_protocol()) {
        BOOST_TEST_REQUIRE(!claim(room, name));
        people[name] = std::make_shared<fake_participant>(p);
        room.enter(people[name], name);
    };
    join("ann");
    join("bob", header_protocol());
    join("cy");
    auto& ann = *people["ann"];
    BOOST_TEST(texts(ann) == (strings{"ann joined the chat\n", "bob joined the chat\n", "cy joined the chat\n"}));

    join("dan");  // 4 members: above the limit
    bus.remote(chat_event{chat_event::kind::joined, "zoe", {}});  // someone on another node
    BOOST_TEST(ann.got.size() == 3u);  // nothing yet
    BOOST_TEST(texts(*people["dan"]) == strings{"dan joined the chat\n"});  // the newcomer learns it is in
    io.run();  // the interval passes
    BOOST_TEST(texts(ann, 3) == strings{"2 joined\n"});
    BOOST_TEST(texts(*people["bob"]).back() == "6         server8         2 joined");
    BOOST_TEST(texts(*people["dan"], 1) == strings{"2 joined\n"});

    io.restart();
    join("eve");                   // 5
    room.leave(*people["dan"], "dan");  // 4: still gathered
    bus.remote(chat_event{chat_event::kind::left, "zoe", {}});
    BOOST_TEST(ann.got.size() == 4u);
    room.leave(*people["eve"], "eve");  // 3: the batch goes out now, then the leave on its own
    BOOST_TEST(texts(ann, 4) == (strings{"1 joined, 2 left\n", "eve left the chat\n"}));
    io.run();  // the interval that was running ends with nothing to say
    BOOST_TEST(ann.got.size() == 6u);
    BOOST_TEST(room.size() == 3u);

    room.leave(*people["cy"], "cy");  // small room: at once, no interval
    BOOST_TEST(texts(ann, 6) == strings{"cy left the chat\n"});
    io.restart();
    BOOST_TEST(io.poll() == 0u);  // no timer was started for it
}

// Messages that arrived in one read go out as one buffer per header/line recipient (one send for
// the burst), one by one to report clients (one recv() is one message for them), none back to a
// header sender.
BOOST_FIXTURE_TEST_CASE(hub_says_a_burst_as_one_buffer_per_protocol, hub_fixture) {
    auto h1 = std::make_shared<fake_participant>(header_protocol());
    auto h2 = std::make_shared<fake_participant>(header_protocol());
    auto l1 = std::make_shared<fake_participant>(line_protocol());
    auto r1 = std::make_shared<fake_participant>(report_protocol());
    int n = 0;
    for (auto& p : {h1, h2, l1, r1}) {
        const std::string name = "user" + std::to_string(n++);
        BOOST_TEST_REQUIRE(!claim(room, name));
        room.enter(p, name);
    }
    for (auto* p : {h1.get(), h2.get(), l1.get(), r1.get()}) p->got.clear();

    const std::vector<std::string> burst{"one", "two", "bad\xff"};
    BOOST_TEST(room.say(*h1, "user0", std::span<const std::string>(burst)).empty());
    BOOST_TEST(h1->got.empty());
    BOOST_TEST(texts(*h2) == strings{"5         user03         one5         user03         two5         user06         bad\xEF\xBF\xBD"});
    BOOST_TEST(texts(*l1) == strings{"user0: one\nuser0: two\nuser0: bad\xEF\xBF\xBD\n"});
    BOOST_TEST(texts(*r1) == (strings{"user0: one", "user0: two", "user0: bad\xEF\xBF\xBD"}));
}

BOOST_AUTO_TEST_SUITE_END()
