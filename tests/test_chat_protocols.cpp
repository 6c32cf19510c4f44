// A chat protocol is one unit: a toy fifth protocol described in this file alone (no library
// change) is served next to the line protocol, in the same hub, and both kinds of client talk.
#include "support/chat_peer.hpp"

#include <netkit/chat/chat_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <sstream>
#include <thread>

using namespace netkit;
using namespace std::chrono_literals;
using peer = netkit::test::chat_peer;

namespace {

std::string upper(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// The toy: the line protocol, but every event and notice its clients receive is upper-case.
class upper_line final : public chat::protocol {
public:
    std::string_view name() const override { return "upper"; }
    std::unique_ptr<chat::message_decoder> decoder(std::size_t max_message) const override {
        return line().decoder(max_message);
    }
    std::string_view quit() const override { return line().quit(); }
    std::string encode(const chat::chat_event& event) const override { return upper(line().encode(event)); }
    std::string notice(std::string_view text) const override { return upper(line().notice(text)); }
    std::string_view prompt() const override { return line().prompt(); }
    std::string_view goodbye() const override { return line().goodbye(); }

private:
    static const chat::protocol& line() { return chat::line_protocol(); }
};

// A hub with the line protocol and the toy on ephemeral loopback ports.
struct two_protocols {
    two_protocols() {
        line_port = host.add_tcp({.label = "line"}, chat::session_factory(room, {}, log, chat::line_protocol()))
                        .local_endpoint().port();
        upper_port = host.add_tcp({.label = "upper"}, chat::session_factory(room, {}, log, toy)).local_endpoint().port();
        room.start();
        host.on_shutdown([this] { room.stop(); });
        runner = std::jthread([this] {
            std::ostringstream announce;
            host.run(2, 1000ms, announce);
        });
    }
    ~two_protocols() {
        host.shutdown();
        if (runner.joinable()) runner.join();
    }

    upper_line toy;  // outlives the sessions that speak it
    std::ostringstream log_stream;
    logger log{log_level::info, &log_stream};
    chat::in_process_bus bus;
    server_host host{log};
    chat::hub room{host.io().get_executor(), bus, log};
    unsigned short line_port = 0, upper_port = 0;
    std::jthread runner;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(chat_protocols)

BOOST_FIXTURE_TEST_CASE(a_protocol_described_in_a_test_joins_the_line_clients_room, two_protocols) {
    peer lisa(line_port);
    BOOST_TEST_REQUIRE(lisa.line().value_or("") == "Type your name and press Enter.");
    lisa.send_line("lisa");
    BOOST_TEST_REQUIRE(lisa.line().value_or("").find("Welcome lisa!") == 0u);
    BOOST_TEST_REQUIRE(lisa.wait_line("lisa joined the chat"));

    // The toy's own texts come from the line protocol's, upper-cased by its notice().
    peer ugo(upper_port);
    BOOST_TEST_REQUIRE(ugo.line().value_or("") == "TYPE YOUR NAME AND PRESS ENTER.");
    ugo.send_line("ugo");
    BOOST_TEST(ugo.line().value_or("") == "WELCOME UGO! USERS HERE: 2. TYPE {QUIT} TO LEAVE THE CHAT.");
    BOOST_TEST_REQUIRE(ugo.wait_line("UGO JOINED THE CHAT"));
    BOOST_TEST(lisa.wait_line("ugo joined the chat"));

    // Both ways, each in its own protocol's form; the toy echoes its sender as line does.
    ugo.send_line("hello from ugo");
    BOOST_TEST(lisa.wait_line("ugo: hello from ugo"));
    BOOST_TEST(ugo.wait_line("UGO: HELLO FROM UGO"));
    lisa.send_line("hi ugo");
    BOOST_TEST(ugo.wait_line("LISA: HI UGO"));
    BOOST_TEST(lisa.wait_line("lisa: hi ugo"));

    ugo.send_line("{quit}");
    BOOST_TEST(ugo.closed_by_server());
    BOOST_TEST(lisa.wait_line("ugo left the chat"));
}

// The hub keeps one encoding per protocol spoken, however many: a fourth and a fifth description
// (the built-in three plus two toys) each get their own bytes, none another's.
BOOST_AUTO_TEST_CASE(the_hub_encodes_for_any_number_of_protocols) {
    struct member final : chat::participant {
        explicit member(const chat::protocol& p) : p_(p) {}
        const chat::protocol& protocol() const override { return p_; }
        bool deliver(chat::shared_bytes bytes) override {
            got += *bytes;
            return false;
        }
        const chat::protocol& p_;
        std::string got;
    };
    upper_line toy1, toy2;  // two descriptions, two encodings (they happen to agree)
    std::ostringstream log_text;
    logger log{log_level::warn, &log_text};
    chat::in_process_bus bus;
    asio::io_context io;
    chat::hub room{io.get_executor(), bus, log};
    const chat::protocol* kinds[] = {&chat::header_protocol(), &chat::line_protocol(), &chat::report_protocol(), &toy1,
                                     &toy2};
    std::vector<std::shared_ptr<member>> members;
    for (const auto* p : kinds) {
        members.push_back(std::make_shared<member>(*p));
        const std::string name = "user" + std::to_string(members.size());
        asio::co_spawn(io, room.claim(name), asio::detached);
        io.run();
        io.restart();
        room.enter(members.back(), name);
    }
    for (auto& m : members) m->got.clear();
    room.say(*members[1], "user2", "hey");
    BOOST_TEST(members[0]->got == "5         user23         hey");
    BOOST_TEST(members[1]->got == "user2: hey\n");
    BOOST_TEST(members[2]->got == "user2: hey");
    BOOST_TEST(members[3]->got == "USER2: HEY\n");
    BOOST_TEST(members[4]->got == "USER2: HEY\n");
}

BOOST_AUTO_TEST_SUITE_END()
