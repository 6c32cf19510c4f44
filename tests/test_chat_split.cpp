// A hub whose bus cannot reach the other nodes, and what it does when the bus, once back, says a
// local user's name went to an earlier claim elsewhere: network-free, with a scripted bus.
#include <netkit/chat/hub.hpp>
#include <netkit/chat/names.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/wire.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <sstream>

using namespace netkit;
using namespace netkit::chat;

namespace {

// Claims are answered as the test says; name losses are triggered by the test.
struct scripted_bus final : bus {
    void on_remote_event(std::function<void(chat_event)>) override {}
    void on_name_lost(std::function<void(std::string, asio::any_io_executor)> f) override { lose = std::move(f); }
    void start() override {}
    void stop() override {}
    asio::awaitable<claim_result> claim_name(std::string key) override {
        co_return taken_keys.contains(key) ? claim_result::taken : down ? claim_result::unreachable : claim_result::claimed;
    }
    void release_name(std::string key) override { released.push_back(std::move(key)); }
    void publish(const chat_event& event) override { published.push_back(event); }

    std::function<void(std::string, asio::any_io_executor)> lose;
    std::set<std::string> taken_keys;
    bool down = false;
    std::vector<chat_event> published;
    std::vector<std::string> released;
};

struct line_member : participant {
    const chat::protocol& protocol() const override { return line_protocol(); }
    bool deliver(shared_bytes bytes) override {
        text += *bytes;
        return false;
    }
    void renamed(std::string new_name, std::string why) override {
        name = std::move(new_name);
        told = std::move(why);
    }
    std::string text, name, told;
};

struct split_fixture {
    // Runs a hub coroutine (or a rename the bus triggered) to completion.
    template <class T> T run(asio::awaitable<T> work) {
        asio::io_context io;
        T result{};
        asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T r) {
            if (e) std::rethrow_exception(e);
            result = std::move(r);
        });
        io.run();
        return result;
    }
    void lose(const std::string& name) {
        asio::io_context io;
        bus.lose(name_key(name), io.get_executor());
        io.run();
    }

    std::ostringstream log_text;
    logger log{log_level::warn, &log_text};
    scripted_bus bus;
    asio::io_context timer_io;  // for the hub's batch timer, which small rooms never start
    hub room{timer_io.get_executor(), bus, log};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(chat_split)

BOOST_AUTO_TEST_CASE(suffixed_names_stay_valid) {
    BOOST_TEST(suffixed_name("anna", 2) == "anna~2");
    BOOST_TEST(suffixed_name("anna", 10) == "anna~10");
    const std::string longest(32, 'a');
    BOOST_TEST(suffixed_name(longest, 2) == std::string(30, 'a') + "~2");
    // Cut by whole characters: "é" is two bytes, and is never split.
    std::string accents;
    for (int i = 0; i < 16; ++i) accents += "é";
    BOOST_TEST(suffixed_name(accents, 2) == accents.substr(0, 30) + "~2");
    BOOST_TEST(suffixed_name(accents, 100) == accents.substr(0, 28) + "~100");
    BOOST_TEST(!name_problem(suffixed_name(accents, 100)));
}

BOOST_AUTO_TEST_CASE(a_name_is_taken_here_when_the_other_nodes_cannot_be_reached) {
    split_fixture f;
    f.room.start();
    bool here_only = false;
    f.bus.down = true;
    BOOST_TEST(!f.run(f.room.claim("wlocal", &here_only)));
    BOOST_TEST(here_only);
    // Still unique on this node.
    BOOST_TEST(f.run(f.room.claim("WLocal")).value().find("taken") != std::string::npos);
    f.bus.down = false;
    BOOST_TEST(!f.run(f.room.claim("bob", &here_only)));
    BOOST_TEST(!here_only);
    f.bus.taken_keys.insert(name_key("carol"));
    BOOST_TEST(f.run(f.room.claim("carol", &here_only)).value().find("taken") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_lost_name_becomes_the_first_free_suffix_and_everyone_is_told) {
    split_fixture f;
    f.room.start();
    auto anna = std::make_shared<line_member>(), bob = std::make_shared<line_member>();
    BOOST_REQUIRE(!f.run(f.room.claim("Anna")));
    f.room.enter(anna, "Anna");
    BOOST_REQUIRE(!f.run(f.room.claim("bob")));
    f.room.enter(bob, "bob");
    BOOST_REQUIRE(!f.run(f.room.claim("anna~2")));  // a local user has ~2 already
    f.bus.taken_keys.insert(name_key("anna~3"));   // and another node ~3
    f.bus.published.clear();
    bob->text.clear();

    f.lose("Anna");
    BOOST_TEST(anna->name == "Anna~4");
    BOOST_TEST(anna->told == renamed_text("Anna", "Anna~4"));
    BOOST_TEST(anna->told.find("you are now 'Anna~4'") != std::string::npos);
    BOOST_TEST(bob->text == "Anna left the chat\nAnna~4 joined the chat\n");
    BOOST_REQUIRE(f.bus.published.size() == 2u);
    BOOST_TEST((f.bus.published[0].type == chat_event::kind::left && f.bus.published[0].name == "Anna"));
    BOOST_TEST((f.bus.published[1].type == chat_event::kind::joined && f.bus.published[1].name == "Anna~4"));
    BOOST_TEST(f.room.size() == 2u);
    // The new name is held here; the old one is no longer this node's to give up.
    BOOST_TEST(f.run(f.room.claim("anna~4")).has_value());
    BOOST_TEST(!f.run(f.room.claim("anna")));
    line_member nobody;
    f.room.leave(nobody, "anna");  // the claim just made, never entered

    // Leaving under the old name (the session had not heard yet) removes the renamed user.
    bob->text.clear();
    f.room.leave(*anna, "Anna");
    BOOST_TEST(bob->text == "Anna~4 left the chat\n");
    BOOST_TEST(f.room.size() == 1u);
    BOOST_TEST(!f.run(f.room.claim("anna~4")));  // free again
}

BOOST_AUTO_TEST_CASE(a_lost_name_of_a_user_already_gone_renames_nobody) {
    split_fixture f;
    f.room.start();
    auto anna = std::make_shared<line_member>();
    BOOST_REQUIRE(!f.run(f.room.claim("anna")));
    f.room.enter(anna, "anna");
    f.room.leave(*anna, "anna");
    f.bus.published.clear();
    f.lose("anna");
    BOOST_TEST(anna->name.empty());
    BOOST_TEST(f.bus.published.empty());
    BOOST_TEST(!f.run(f.room.claim("anna~2")));  // not held by a rename
}

BOOST_AUTO_TEST_SUITE_END()
