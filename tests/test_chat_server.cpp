// The chat service over loopback: both protocols in one hub, in-process and as the `netkit`
// executable, with lesson 003's Python client and netkit's own console client.
#include "support/chat_peer.hpp"
#include "support/child_process.hpp"

#include <netkit/chat/chat_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/length_header.hpp>
#include <netkit/runtime.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>


#include <csignal>
#include <sstream>
#include <thread>

using namespace netkit;
using netkit::test::child_process;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

const std::string exe = NETKIT_EXE;

tcp::endpoint loopback(unsigned short port) { return {asio::ip::make_address("127.0.0.1"), port}; }

using peer = netkit::test::chat_peer;

// A chat server in this process, on ephemeral ports, with its log kept for inspection.
struct running_chat {
    explicit running_chat(chat::chat_options chat_options = {}) : options(chat_options) {
        header_port = host.add_tcp({.label = "header"}, chat::session_factory(room, options, log, chat::header_protocol()))
                          .local_endpoint().port();
        line_server = &host.add_tcp({.label = "line"}, chat::session_factory(room, options, log, chat::line_protocol()));
        line_port = line_server->local_endpoint().port();
        report_port = host.add_tcp({.label = "report"}, chat::session_factory(room, options, log, chat::report_protocol()))
                          .local_endpoint().port();
        room.start();
        host.on_shutdown([this] { room.stop(); });
        runner = std::jthread([this] {
            std::ostringstream announce;
            host.run(2, 1000ms, announce);
        });
    }
    ~running_chat() { stop(); }
    void stop() {
        host.shutdown();
        if (runner.joinable()) runner.join();
    }
    // The log, once stop() has returned.
    std::string log_text() const { return log_stream.str(); }

    chat::chat_options options;
    std::ostringstream log_stream;
    logger log{log_level::info, &log_stream};
    chat::in_process_bus bus;
    server_host host{log};
    chat::hub room{host.io().get_executor(), bus, log, options};
    unsigned short header_port = 0, line_port = 0, report_port = 0;
    tcp_server* line_server = nullptr;
    std::jthread runner;
};

// Connects a line client and joins under `name`; the welcome and its own join notice are read.
std::unique_ptr<peer> line_user(unsigned short port, const std::string& name, int receive_buffer = 0) {
    auto p = std::make_unique<peer>(port, receive_buffer);
    BOOST_TEST_REQUIRE(p->line().value_or("") == std::string(chat::line_protocol().prompt()));
    p->send_line(name);
    BOOST_TEST_REQUIRE(p->line().value_or("").find("Welcome " + name + "!") == 0u);
    BOOST_TEST_REQUIRE(p->wait_line(name + " joined the chat"));
    return p;
}

// Connects a header client; its own join notice confirms the name was accepted.
std::unique_ptr<peer> header_user(unsigned short port, const std::string& name) {
    auto p = std::make_unique<peer>(port);
    p->send_frame(name);
    BOOST_TEST_REQUIRE(p->wait_event("server", name + " joined the chat"));
    return p;
}

// Waits (bounded) until the hub holds `n` members.
bool members_become(chat::hub& room, std::size_t n) {
    for (int i = 0; i < 1000; ++i) {
        if (room.size() == n) return true;
        std::this_thread::sleep_for(5ms);  // the hub has no event for this; polling its size
    }
    return false;
}

std::pair<unsigned short, unsigned short> chat_ports(child_process& server) {
    unsigned short header = 0, line = 0;
    for (int i = 0; i < 2; ++i) {
        const auto l = server.read_line(20s);
        BOOST_TEST_REQUIRE(l.has_value());
        if (l->find("(header)") != std::string::npos) header = test::port_of(*l);
        if (l->find("(line)") != std::string::npos) line = test::port_of(*l);
    }
    BOOST_TEST_REQUIRE(header != 0);
    BOOST_TEST_REQUIRE(line != 0);
    return {header, line};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(chat_server)

BOOST_AUTO_TEST_CASE(three_clients_mixing_protocols_see_each_other) {
    running_chat s;
    auto hank = header_user(s.header_port, "hank");
    auto lisa = line_user(s.line_port, "lisa");
    BOOST_TEST(hank->wait_event("server", "lisa joined the chat"));
    auto leo = line_user(s.line_port, "leo");
    BOOST_TEST(lisa->wait_line("leo joined the chat"));
    BOOST_TEST(hank->wait_event("server", "leo joined the chat"));

    lisa->send_line("ciao a tutti");
    BOOST_TEST(lisa->line().value_or("") == "lisa: ciao a tutti");  // the line sender sees its own
    BOOST_TEST(leo->line().value_or("") == "lisa: ciao a tutti");
    BOOST_TEST((hank->event().value_or(std::pair<std::string, std::string>{}) ==
                std::pair<std::string, std::string>{"lisa", "ciao a tutti"}));

    hank->send_frame("hello from header");
    BOOST_TEST(lisa->line().value_or("") == "hank: hello from header");
    BOOST_TEST(leo->line().value_or("") == "hank: hello from header");
    // No echo for the header sender: the next thing hank gets is leo's message.
    leo->send_line("second");
    const auto next = hank->event();
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST(next->first == "leo");
    BOOST_TEST(next->second == "second");
}

BOOST_AUTO_TEST_CASE(split_and_coalesced_frames_and_empty_messages) {
    running_chat s;
    auto lisa = line_user(s.line_port, "lisa");
    peer hank(s.header_port);
    const std::string bytes = framing::length_frame("hank") + framing::length_frame("") +
                              framing::length_frame("one") + framing::length_frame("two");
    for (char c : bytes) hank.send(std::string(1, c));  // one byte per write
    BOOST_TEST(lisa->wait_line("hank joined the chat"));
    BOOST_TEST(lisa->line().value_or("") == "hank: one");  // the empty frame was ignored
    BOOST_TEST(lisa->line().value_or("") == "hank: two");
    hank.send(framing::length_frame("three") + framing::length_frame("four"));  // one write
    BOOST_TEST(lisa->line().value_or("") == "hank: three");
    BOOST_TEST(lisa->line().value_or("") == "hank: four");
    lisa->send("\n\r\nafter empty lines\r\n");
    BOOST_TEST(lisa->line().value_or("") == "lisa: after empty lines");
}

BOOST_AUTO_TEST_CASE(a_burst_reaches_everyone_complete_and_in_order) {
    // Thousands of frames in one write: the server batches them per recipient (one flat write per
    // burst), which must neither drop, duplicate nor reorder anything.
    running_chat s;
    auto hank = header_user(s.header_port, "hank");
    auto hedy = header_user(s.header_port, "hedy");
    auto lisa = line_user(s.line_port, "lisa");
    constexpr int count = 3000;
    std::string burst;
    for (int i = 0; i < count; ++i) burst += framing::length_frame("m" + std::to_string(i));
    hank->send(burst);
    BOOST_TEST_REQUIRE(lisa->wait_line("hank: m0"));
    BOOST_TEST_REQUIRE(hedy->wait_event("hank", "m0"));
    for (int i = 1; i < count; ++i) {
        const std::string want = "m" + std::to_string(i);
        BOOST_TEST_REQUIRE(lisa->line().value_or("") == "hank: " + want);
        const auto e = hedy->event();
        BOOST_TEST_REQUIRE((e && e->first == "hank" && e->second == want));
    }
}

BOOST_AUTO_TEST_CASE(taken_and_invalid_names_are_refused_then_retried) {
    running_chat s;
    auto alice = line_user(s.line_port, "Alice");
    peer second(s.line_port);
    BOOST_TEST(second.line().value_or("") == std::string(chat::line_protocol().prompt()));
    for (const std::string& bad : {"ALICE"s, "server"s, std::string(33, 'x'), "bad\xff"s, "tab\there"s, ""s}) {
        second.send_line(bad);
        const auto why = second.line();
        BOOST_TEST(why.value_or("").rfind("name refused: ", 0) == 0u, "name '" << bad << "': " << why.value_or("?"));
        BOOST_TEST(second.line().value_or("") == std::string(chat::line_protocol().prompt()));
    }
    BOOST_TEST(s.room.size() == 1u);
    second.send_line("bob");
    BOOST_TEST(second.line().value_or("").find("{quit}") != std::string::npos);  // the welcome
    BOOST_TEST(second.line().value_or("") == "bob joined the chat");

    peer h(s.header_port);
    h.send_frame("aLiCe");
    const auto refused = h.event();
    BOOST_TEST_REQUIRE(refused.has_value());
    BOOST_TEST(refused->first == "server");
    BOOST_TEST(refused->second.find("taken") != std::string::npos);
    BOOST_TEST(h.closed_by_server());
    BOOST_TEST(s.room.size() == 2u);
}

BOOST_AUTO_TEST_CASE(quit_leaves_and_others_are_told) {
    running_chat s;
    auto alice = line_user(s.line_port, "alice");
    auto bob = line_user(s.line_port, "bob");
    auto hank = header_user(s.header_port, "hank");
    BOOST_TEST(alice->wait_line("hank joined the chat"));
    bob->send_line("{quit}");
    BOOST_TEST(bob->closed_by_server());
    BOOST_TEST(alice->wait_line("bob left the chat"));
    BOOST_TEST(hank->wait_event("server", "bob left the chat"));

    peer at_prompt(s.line_port);
    BOOST_TEST(at_prompt.line().has_value());
    at_prompt.send_line("{quit}");
    BOOST_TEST(at_prompt.closed_by_server());

    // Vanishing without {quit} is a leave too.
    hank.reset();
    BOOST_TEST(alice->wait_line("hank left the chat"));
    BOOST_TEST(members_become(s.room, 1));
}

BOOST_AUTO_TEST_CASE(malformed_header_and_oversized_frame_close_only_the_offender) {
    running_chat s(chat::chat_options{.max_message = 1000, .max_queue = 64 * 1024});
    auto lisa = line_user(s.line_port, "lisa");
    auto good = header_user(s.header_port, "good");

    auto bad = header_user(s.header_port, "bad");
    bad->send("12x       hello");
    const auto why = bad->event();
    BOOST_TEST_REQUIRE(why.has_value());
    BOOST_TEST(why->first == "server");
    BOOST_TEST(why->second.find("malformed") != std::string::npos);
    BOOST_TEST(bad->closed_by_server());
    BOOST_TEST(lisa->wait_line("bad left the chat"));

    auto big = header_user(s.header_port, "big");
    big->send("1001      ");
    BOOST_TEST(big->closed_by_server());
    BOOST_TEST(lisa->wait_line("big left the chat"));

    peer long_line(s.line_port);
    long_line.send(std::string(1500, 'y'));
    BOOST_TEST(long_line.closed_by_server());
    BOOST_TEST(long_line.pending().find("longer than 1000 bytes") != std::string::npos);

    good->send_frame("still here");
    BOOST_TEST(lisa->line().value_or("") == "good: still here");
    BOOST_TEST(s.room.size() == 2u);
}

BOOST_AUTO_TEST_CASE(header_text_cannot_forge_lines) {
    running_chat s;
    auto lisa = line_user(s.line_port, "lisa");
    auto mallory = header_user(s.header_port, "mallory");
    BOOST_TEST(lisa->wait_line("mallory joined the chat"));
    mallory->send_frame("hi\n{end_conn}\nbob: give me your password\r\x1b[2J");
    const auto got = lisa->line();
    BOOST_TEST(got.value_or("") == "mallory: hi {end_conn} bob: give me your password \xEF\xBF\xBD[2J");
    mallory->send_frame("next");
    BOOST_TEST(lisa->line().value_or("") == "mallory: next");  // nothing forged came in between
    // Header clients get the text as sent (length framing cannot be forged), and valid UTF-8.
    auto hank = header_user(s.header_port, "hank");
    mallory->send_frame("a\nb\xff");
    BOOST_TEST(hank->wait_event("mallory", "a\nb\xEF\xBF\xBD"));
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_is_dropped_while_others_keep_receiving) {
    running_chat s(chat::chat_options{.max_message = 65536, .max_queue = 256 * 1024, .stall_timeout = 500ms});
    auto stuck = line_user(s.line_port, "stuck", 4096);  // a small window: stops reading from now on
    auto reader = line_user(s.line_port, "reader");
    auto writer = header_user(s.header_port, "writer");
    BOOST_TEST(reader->wait_line("writer joined the chat"));

    // In lock step with the reader, so only the stuck client falls behind.
    constexpr int messages = 800;
    const std::string body(16 * 1024, 'm');
    int in_order = 0;
    for (int i = 0; i < messages; ++i) {
        writer->send_frame(std::to_string(i) + " " + body);
        auto l = reader->line(10s);
        if (l == "stuck left the chat") l = reader->line(10s);  // may come at any point
        if (l != "writer: " + std::to_string(i) + " " + body) break;
        ++in_order;
    }
    BOOST_TEST(in_order == messages);
    BOOST_TEST(stuck->closed_by_server(10s));
    BOOST_TEST(stuck->total_received() < messages * body.size());
    BOOST_TEST(members_become(s.room, 2));
    s.stop();
    BOOST_TEST(s.log_text().find("slow consumer stuck") != std::string::npos);
}

// The attacker's sockets that never send: each protocol's connection is told and closed once the
// login timeout passes without a valid, free name; a joined client stays.
BOOST_AUTO_TEST_CASE(connections_that_do_not_join_in_time_are_told_and_closed) {
    running_chat s(chat::chat_options{.login_timeout = 400ms});
    auto joined = line_user(s.line_port, "joined");
    peer silent_line(s.line_port);
    BOOST_TEST(silent_line.line().value_or("") == std::string(chat::line_protocol().prompt()));
    peer refused_line(s.line_port);  // keeps offering a bad name: still no name in time
    BOOST_TEST(refused_line.line().value_or("") == std::string(chat::line_protocol().prompt()));
    refused_line.send_line("server");
    peer silent_header(s.header_port);
    peer silent_report(s.report_port);

    BOOST_TEST(silent_line.wait_line("no name given within 0.4 s; closing the connection", 3s));
    BOOST_TEST(silent_line.closed_by_server(3s));
    BOOST_TEST(refused_line.wait_line("no name given within 0.4 s; closing the connection", 3s));
    BOOST_TEST(refused_line.closed_by_server(3s));
    BOOST_TEST(silent_header.wait_event("server", "no name given within 0.4 s; closing the connection", 3s));
    BOOST_TEST(silent_header.closed_by_server(3s));
    BOOST_TEST(silent_report.text_through("no name given within 0.4 s", 3s).has_value());
    BOOST_TEST(silent_report.closed_by_server(3s));

    BOOST_TEST(joined->silent_for(300ms));  // past the timeout, and still in
    joined->send_line("still here");
    BOOST_TEST(joined->line().value_or("") == "joined: still here");
    BOOST_TEST(s.room.size() == 1u);
    s.stop();
    BOOST_TEST(s.log_text().find("no name given within") != std::string::npos);
}

// The attacker's flood: one sender at full loopback speed and two readers reading as fast as they
// can. The sender is slowed to the readers' pace; no reader is dropped, each gets every message
// in order.
BOOST_AUTO_TEST_CASE(a_full_speed_sender_does_not_evict_readers_that_keep_reading) {
    running_chat s;  // default limits: 1 MiB queue, 5 s stall timeout
    // Small receive windows make the readers slower than the sender (as over a real network),
    // while they still read all the time: the old queue-length rule dropped one of them.
    auto a = line_user(s.line_port, "reader_a", 4096);
    auto b = line_user(s.line_port, "reader_b", 4096);
    auto flooder = header_user(s.header_port, "flooder");
    BOOST_TEST_REQUIRE(a->wait_line("flooder joined the chat"));
    BOOST_TEST_REQUIRE(b->wait_line("flooder joined the chat"));

    constexpr int messages = 30000;
    const std::string body(1000, 'f');  // 30 MB in all
    std::jthread sender([&] {
        std::string burst;
        for (int i = 0; i < messages; ++i) {
            burst += framing::length_frame(std::to_string(i) + " " + body);
            if (burst.size() > 256 * 1024 || i + 1 == messages) {
                boost::system::error_code ec;
                asio::write(flooder->socket(), asio::buffer(burst), ec);
                if (ec) return;
                burst.clear();
            }
        }
    });
    const auto read_all = [&](peer& p) {
        int in_order = 0;
        for (int i = 0; i < messages; ++i) {
            if (p.line(20s) != "flooder: " + std::to_string(i) + " " + body) break;
            ++in_order;
        }
        return in_order;
    };
    int got_a = 0, got_b = 0;
    {
        std::jthread ta([&] { got_a = read_all(*a); });
        std::jthread tb([&] { got_b = read_all(*b); });
    }
    sender.join();
    BOOST_TEST(got_a == messages);
    BOOST_TEST(got_b == messages);
    BOOST_TEST(s.room.size() == 3u);
    s.stop();
    BOOST_TEST(s.log_text().find("slow consumer") == std::string::npos);
}

// The rule still catches a client that stops reading, within the stall timeout, even when the
// hard cap is far away; the sender and the reader that keeps up carry on.
BOOST_AUTO_TEST_CASE(a_reader_that_stops_is_dropped_within_the_stall_timeout) {
    running_chat s(chat::chat_options{.max_queue = 64 * 1024 * 1024, .stall_timeout = 500ms});
    auto stuck = line_user(s.line_port, "stuck", 4096);  // never reads from now on
    auto reader = line_user(s.line_port, "reader");
    auto writer = header_user(s.header_port, "writer");
    BOOST_TEST_REQUIRE(reader->wait_line("writer joined the chat"));

    constexpr int messages = 20000;
    const std::string body(1000, 'w');
    const auto started = std::chrono::steady_clock::now();
    std::jthread sender([&] {
        for (int i = 0; i < messages; ++i) {
            boost::system::error_code ec;
            asio::write(writer->socket(), asio::buffer(framing::length_frame(std::to_string(i) + " " + body)), ec);
            if (ec) return;
        }
    });
    int in_order = 0;
    for (int i = 0; i < messages; ++i) {
        auto l = reader->line(10s);
        if (l == "stuck left the chat") l = reader->line(10s);
        if (l != "writer: " + std::to_string(i) + " " + body) break;
        ++in_order;
    }
    sender.join();
    BOOST_TEST(in_order == messages);
    BOOST_TEST(stuck->closed_by_server(10s));
    // Dropped after 0.5 s without progress: the whole run, stall included, stays well under the
    // time a 64 MiB queue would take to fill up at this pace.
    BOOST_TEST((std::chrono::steady_clock::now() - started < 15s));
    BOOST_TEST(stuck->total_received() < messages * body.size());
    BOOST_TEST(members_become(s.room, 2));
    s.stop();
    BOOST_TEST(s.log_text().find("slow consumer stuck") != std::string::npos);
    BOOST_TEST(s.log_text().find("none sent for 0.5 s") != std::string::npos);
}

// Every numeric option is range-checked: exit 2 naming the option, never a wrap-around.
BOOST_AUTO_TEST_CASE(numeric_options_are_range_checked) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"serve", "chat", "--max-queue", "-1"}, "--max-queue"},
        {{"serve", "chat", "--max-message", "-1"}, "--max-message"},
        {{"serve", "chat", "--max-message", "0"}, "--max-message"},
        {{"serve", "chat", "--max-message", "9223372036854775808"}, "--max-message"},
        {{"serve", "chat", "--max-message", "10000000000", "--max-queue", "4294967296"}, "--max-message"},
        {{"serve", "chat", "--max-message", "1000", "--max-queue", "100"}, "--max-queue"},
        {{"serve", "chat", "--max-queue", "18446744073709551615"}, "--max-queue"},
        {{"serve", "chat", "--header-port", "70000"}, "--header-port"},
        {{"serve", "chat", "--line-port", "-1"}, "--line-port"},
        {{"serve", "chat", "--report-port", "65536"}, "--report-port"},
        {{"serve", "chat", "--login-timeout", "0"}, "--login-timeout"},
        {{"serve", "chat", "--login-timeout", "-1"}, "--login-timeout"},
        {{"serve", "chat", "--stall-timeout", "nan"}, "--stall-timeout"},
        {{"serve", "chat", "--announce-limit", "-1"}, "--announce-limit"},
        {{"serve", "chat", "--announce-limit", "100000001"}, "--announce-limit"},
        {{"serve", "chat", "--announce-limit", "1e3"}, "--announce-limit"},
        {{"serve", "chat", "--announce-interval", "0"}, "--announce-interval"},
        {{"serve", "chat", "--announce-interval", "-2"}, "--announce-interval"},
        {{"chat", "127.0.0.1", "70000", "--name", "x"}, "PORT"},
    };
    for (const auto& [args, option] : cases) {
        std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", exe};
        argv.insert(argv.end(), args.begin(), args.end());
        child_process run(argv);
        const std::string out = run.read_all();
        BOOST_TEST(run.wait().value_or(-1) == 2, args[2] << ' ' << option);
        BOOST_TEST(out.find(option + " must be") != std::string::npos, out);
    }
    // Look-alike names are refused by the client too, before connecting.
    child_process look_alike({exe, "chat", "127.0.0.1", "1", "--name", "server:"});
    BOOST_TEST(look_alike.wait().value_or(-1) == 2);
}

// Limit 3, interval 0.2 s: up to 3 members single announcements; above, one batched notice per
// interval with the right counts; back at 3, what was gathered goes out and single announcements
// return. The welcome counts who is there.
BOOST_AUTO_TEST_CASE(a_big_room_announces_joins_and_leaves_in_batches) {
    chat::chat_options options;
    options.announce_limit = 3;
    options.announce_interval = 200ms;
    running_chat s(options);
    auto ann = line_user(s.line_port, "ann");
    auto bob = line_user(s.line_port, "bob");
    BOOST_TEST(ann->line().value_or("") == "bob joined the chat");
    auto cy = line_user(s.line_port, "cy");
    BOOST_TEST(ann->line().value_or("") == "cy joined the chat");
    BOOST_TEST(bob->line().value_or("") == "cy joined the chat");

    peer dan(s.line_port);  // the 4th: above the limit
    BOOST_TEST_REQUIRE(dan.line().value_or("") == std::string(chat::line_protocol().prompt()));
    dan.send_line("dan");
    BOOST_TEST(dan.line().value_or("") == "Welcome dan! Users here: 4. Type {quit} to leave the chat.");
    BOOST_TEST(dan.line().value_or("") == "dan joined the chat");  // to the newcomer only
    auto eve = std::make_unique<peer>(s.header_port);  // a header client gets the count too
    eve->send_frame("eve");
    BOOST_TEST((eve->event().value_or(std::pair<std::string, std::string>{}) ==
                std::pair<std::string, std::string>{"server", "Welcome eve! Users here: 5."}));
    BOOST_TEST(eve->wait_event("server", "eve joined the chat"));
    // One notice for both joins, within a bounded wait; nothing before it.
    BOOST_TEST(ann->line(5s).value_or("") == "2 joined");
    BOOST_TEST(dan.line(5s).value_or("") == "2 joined");
    BOOST_TEST((eve->event(5s).value_or(std::pair<std::string, std::string>{}) ==
                std::pair<std::string, std::string>{"server", "2 joined"}));

    dan.send_line(std::string(chat::quit_command));  // 4 left: gathered
    BOOST_TEST_REQUIRE(members_become(s.room, 4));
    eve.reset();  // 3 left: the gathered leave goes out at once, then eve's on its own
    BOOST_TEST(ann->line().value_or("") == "1 left");
    BOOST_TEST(ann->line().value_or("") == "eve left the chat");
    BOOST_TEST(ann->silent_for(500ms));  // the interval that was running has nothing to say

    auto fay = line_user(s.line_port, "fay");  // 4 again: gathered
    BOOST_TEST(ann->line(5s).value_or("") == "1 joined");
    fay.reset();  // leaves: 3, at once
    BOOST_TEST(ann->line().value_or("") == "fay left the chat");
}

// The options reach the hub from the command line: with --announce-limit 1 the second join comes
// as a batch notice after --announce-interval.
BOOST_AUTO_TEST_CASE(announce_options_from_the_command_line) {
    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--announce-limit", "1",
                          "--announce-interval", "0.2"});
    const auto [header_port, line_port] = chat_ports(server);
    (void)header_port;
    auto ann = line_user(line_port, "ann");
    peer bob(line_port);
    BOOST_TEST_REQUIRE(bob.line().value_or("") == std::string(chat::line_protocol().prompt()));
    bob.send_line("bob");
    BOOST_TEST(bob.line().value_or("") == "Welcome bob! Users here: 2. Type {quit} to leave the chat.");
    BOOST_TEST(ann->line(5s).value_or("") == "1 joined");
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

// The attacker's look-alike names, over the wire: each is refused next to "anna" or as "server".
BOOST_AUTO_TEST_CASE(look_alike_names_are_refused_over_the_wire) {
    running_chat s;
    auto anna = line_user(s.line_port, "anna");
    peer other(s.line_port);
    BOOST_TEST(other.line().value_or("") == std::string(chat::line_protocol().prompt()));
    for (const std::string& bad : {"anna "s, " anna"s, "\xD0\xB0nna"s /* Cyrillic а */, "an\u200Bna"s,
                                   "\uFEFFanna"s, "anna\u202E"s, "Server "s, "server:"s, "ANNA"s}) {
        other.send_line(bad);
        const auto why = other.line();
        BOOST_TEST(why.value_or("").rfind("name refused: ", 0) == 0u, "name '" << bad << "': " << why.value_or("?"));
        BOOST_TEST(other.line().value_or("") == std::string(chat::line_protocol().prompt()));
    }
    other.send_line("Zoë");
    BOOST_TEST(other.line().value_or("").find("Welcome Zoë!") == 0u);
    BOOST_TEST(s.room.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_with_output_unread_is_closed_after_flush_timeout) {
    running_chat s(chat::chat_options{.max_message = 65536, .max_queue = 64 * 1024 * 1024, .flush_timeout = 300ms});
    auto stuck = line_user(s.line_port, "stuck", 4096);  // never reads from now on
    auto reader = line_user(s.line_port, "reader");
    auto writer = header_user(s.header_port, "writer");
    BOOST_TEST(reader->wait_line("writer joined the chat"));
    // 12 MiB: more than the kernel buffers towards `stuck` hold, far less than max_queue.
    const std::string body(60 * 1024, 'm');
    for (int i = 0; i < 200; ++i) writer->send_frame(body);
    int received = 0;
    while (received < 200 && reader->line(10s) == "writer: " + body) ++received;
    BOOST_TEST(received == 200);  // so every message was queued for `stuck` too
    BOOST_TEST(s.line_server->connection_count() == 2u);

    stuck->socket().shutdown(tcp::socket::shutdown_send);  // leaves, its queue still full
    BOOST_TEST(reader->wait_line("stuck left the chat"));
    bool closed = false;
    for (int i = 0; i < 1000 && !closed; ++i) {
        closed = s.line_server->connection_count() == 1u;
        if (!closed) std::this_thread::sleep_for(5ms);  // no event for a session's end
    }
    BOOST_TEST(closed);
    s.stop();
    BOOST_TEST(s.log_text().find("queued output not read in time") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(five_hundred_concurrent_clients) {
    logger quiet(log_level::warn);
    raise_open_file_limit(quiet);  // 500 clients + 500 sessions in this one process
    running_chat s;
    constexpr int clients = 500, senders = 5;
    // Half of each protocol, driven by coroutines on one thread: all join, then the first few
    // speak and every client must receive every message (header clients: all but their own).
    asio::io_context io;
    std::vector<std::shared_ptr<tcp::socket>> sockets;
    for (int c = 0; c < clients; ++c) sockets.push_back(std::make_shared<tcp::socket>(io));
    int joined = 0, done = 0;
    const auto is_header = [](int c) { return c % 2 == 0; };
    const auto message = [](int k) { return "mark" + std::to_string(k); };
    const auto expected = [&](int c, int k) {
        const std::string from = "u" + std::to_string(k);
        return is_header(c) ? framing::length_frame(from) + framing::length_frame(message(k))
                            : from + ": " + message(k) + "\n";
    };
    const auto speak = [&] {
        for (int k = 0; k < senders; ++k) {
            const auto bytes = std::make_shared<std::string>(
                is_header(k) ? framing::length_frame(message(k)) : message(k) + "\n");
            asio::async_write(*sockets[k], asio::buffer(*bytes), [bytes](auto, auto) {});
        }
    };
    for (int c = 0; c < clients; ++c) {
        asio::co_spawn(io, [&, c]() -> asio::awaitable<void> {
            auto& sock = *sockets[c];
            const std::string name = "u" + std::to_string(c);
            co_await sock.async_connect(loopback(is_header(c) ? s.header_port : s.line_port), asio::use_awaitable);
            const std::string hello = is_header(c) ? framing::length_frame(name) : name + "\n";
            co_await asio::async_write(sock, asio::buffer(hello), asio::use_awaitable);
            std::string in;
            char chunk[8192];
            const auto read_until = [&](const std::string& wanted) -> asio::awaitable<bool> {
                while (in.find(wanted) == std::string::npos) {
                    auto [ec, n] = co_await sock.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
                    if (ec) co_return false;
                    in.append(chunk, n);
                }
                co_return true;
            };
            if (!co_await read_until(name + " joined the chat")) co_return;
            if (++joined == clients) speak();
            for (int k = 0; k < senders; ++k) {
                if (is_header(c) && k == c) continue;  // no echo for a header sender
                if (!co_await read_until(expected(c, k))) co_return;
            }
            ++done;
        }, asio::detached);
    }
    io.run_for(60s);
    BOOST_TEST(joined == clients);
    BOOST_TEST(done == clients);
}

// The lesson 004 report's client sends a bare name and bare messages, shows what each recv()
// returns and watches for "{end_conn}": it joins the same room, with the report server's bytes.
BOOST_AUTO_TEST_CASE(the_reports_own_client_joins_with_its_bytes) {
    running_chat s;
    peer anna(s.report_port);
    std::string seen;  // everything anna received: the report's protocol has no newlines
    auto expect = [&seen](peer& p, const std::string& text) {
        const auto got = p.text_through(text);
        seen += got.value_or("");
        return got.has_value();
    };
    BOOST_TEST(expect(anna, std::string(chat::report_protocol().prompt())));
    anna.send("anna");
    BOOST_TEST(expect(anna, "Benvenuto anna! Se vuoi lasciare la Chat, scrivi {quit} per uscire."));
    BOOST_TEST(expect(anna, "anna si è unito alla chat!"));

    auto lisa = line_user(s.line_port, "lisa");
    BOOST_TEST(expect(anna, "lisa si è unito alla chat!"));
    auto hank = header_user(s.header_port, "hank");
    BOOST_TEST(expect(anna, "hank si è unito alla chat!"));
    anna.send("ciao a tutti");
    BOOST_TEST(lisa->wait_line("anna: ciao a tutti"));
    BOOST_TEST(hank->wait_event("anna", "ciao a tutti"));
    BOOST_TEST(expect(anna, "anna: ciao a tutti"));  // the report's broadcast includes the sender
    lisa->send_line("ciao anna");
    BOOST_TEST(expect(anna, "lisa: ciao anna"));

    peer taken(s.report_port);
    BOOST_TEST(taken.text_through(std::string(chat::report_protocol().prompt())).has_value());
    taken.send("ANNA");
    BOOST_TEST(taken.text_through("inserire un nome diverso:").has_value());
    taken.send("{quit}");  // leaves at the name prompt, as in the report
    BOOST_TEST(taken.closed_by_server());

    s.stop();
    BOOST_TEST(anna.closed_by_server());
    seen += anna.pending();
    BOOST_TEST(seen.ends_with("{end_conn}"), seen);
    BOOST_TEST(seen.find('\n') == std::string::npos, seen);
}

BOOST_AUTO_TEST_CASE(report_clients_leave_with_quit_and_others_are_told) {
    running_chat s;
    auto lisa = line_user(s.line_port, "lisa");
    peer bea(s.report_port);
    BOOST_TEST(bea.text_through(std::string(chat::report_protocol().prompt())).has_value());
    bea.send("bea\n");  // from nc: the newline is dropped
    BOOST_TEST(lisa->wait_line("bea joined the chat"));
    BOOST_TEST(bea.text_through("bea si è unito alla chat!").has_value());
    bea.send("{quit}");
    BOOST_TEST(lisa->wait_line("bea left the chat"));
    BOOST_TEST(bea.closed_by_server());
    BOOST_TEST(members_become(s.room, 1));
}

BOOST_AUTO_TEST_CASE(sigterm_sends_end_conn_to_every_line_client_and_exits_0) {
    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--threads", "2"});
    const auto [header_port, line_port] = chat_ports(server);
    auto alice = line_user(line_port, "alice");
    auto bob = line_user(line_port, "bob");
    auto hank = header_user(header_port, "hank");
    peer at_prompt(line_port);
    BOOST_TEST(at_prompt.line().value_or("") == std::string(chat::line_protocol().prompt()));
    BOOST_TEST(alice->wait_line("hank joined the chat"));
    BOOST_TEST(bob->wait_line("hank joined the chat"));

    server.signal(SIGTERM);
    for (peer* p : {alice.get(), bob.get(), &at_prompt}) {
        BOOST_TEST(p->closed_by_server(10s));
        const std::string& text = p->pending();
        // {end_conn} is the last line, whatever leave notices came before it.
        BOOST_TEST(text.size() >= 11u);
        BOOST_TEST(text.substr(text.size() - 11) == "{end_conn}\n", "got: " << text);
    }
    BOOST_TEST(hank->wait_event("server", std::string(chat::shutdown_notice), 10s));
    BOOST_TEST(hank->closed_by_server(10s));
    BOOST_TEST(server.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(lesson_003_python_client_works_byte_for_byte) {
    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0"});
    const auto [header_port, line_port] = chat_ports(server);
    (void)line_port;
    child_process ana({"/usr/bin/env", "python3", std::string(NETKIT_SOURCE_DIR) + "/tests/python/lesson003_client.py",
                       "127.0.0.1", std::to_string(header_port), "ana"});
    BOOST_TEST_REQUIRE(ana.read_line(20s).value_or("") == "server > ana joined the chat");

    peer bob(header_port);
    bob.send_frame("bob");
    BOOST_TEST(ana.read_line().value_or("") == "server > bob joined the chat");
    bob.send_frame("hello ana, è tutto ok?");
    BOOST_TEST(ana.read_line().value_or("") == "bob > hello ana, è tutto ok?");

    ana.write_stdin("hi bob\n");
    // Exactly the bytes lesson 003's server would relay: username header + name, message header + text.
    BOOST_TEST(bob.read_exactly(10 + 6 + 10 + 19).value_or("") == "6         server19        bob joined the chat");
    BOOST_TEST(bob.read_exactly(10 + 3 + 10 + 6).value_or("") == "3         ana6         hi bob");
    ana.close_stdin();
    BOOST_TEST(ana.wait().value_or(-1) == 0);
    BOOST_TEST(bob.wait_event("server", "ana left the chat"));
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(netkit_chat_client_talks_both_protocols) {
    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0"});
    const auto [header_port, line_port] = chat_ports(server);
    auto dora = line_user(line_port, "dora");

    child_process carl({exe, "chat", "127.0.0.1", std::to_string(line_port), "--name", "carl"});
    BOOST_TEST(dora->wait_line("carl joined the chat"));
    child_process hugo({exe, "chat", "127.0.0.1", std::to_string(header_port), "--name", "hugo", "--protocol", "header"});
    BOOST_TEST(dora->wait_line("hugo joined the chat"));
    dora->send_line("hey both");
    const auto seen = [](child_process& p, const std::string& wanted) {
        while (auto l = p.read_line(5s))
            if (*l == wanted) return true;
        return false;
    };
    BOOST_TEST(seen(carl, "dora: hey both"));
    BOOST_TEST(seen(hugo, "dora: hey both"));
    carl.write_stdin("from carl\n");
    BOOST_TEST(dora->wait_line("carl: from carl"));
    BOOST_TEST(seen(hugo, "carl: from carl"));
    hugo.write_stdin("from hugo\n");
    BOOST_TEST(dora->wait_line("hugo: from hugo"));
    BOOST_TEST(seen(carl, "hugo: from hugo"));

    carl.write_stdin("{quit}\n");
    BOOST_TEST(carl.wait().value_or(-1) == 0);
    BOOST_TEST(dora->wait_line("carl left the chat"));
    hugo.close_stdin();  // Ctrl-D
    BOOST_TEST(hugo.wait().value_or(-1) == 0);
    BOOST_TEST(dora->wait_line("hugo left the chat"));

    child_process ivy({exe, "chat", "127.0.0.1", std::to_string(line_port), "--name", "ivy"});
    BOOST_TEST(dora->wait_line("ivy joined the chat"));
    server.signal(SIGTERM);
    BOOST_TEST(seen(ivy, "(the server closed the chat)"));
    BOOST_TEST(ivy.wait().value_or(-1) == 0);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(report_port_serves_the_reports_client_from_the_cli) {
    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--report-port", "0"});
    unsigned short report = 0;
    for (int i = 0; i < 3; ++i) {
        const auto l = server.read_line(20s);
        BOOST_TEST_REQUIRE(l.has_value());
        if (l->find("(report)") != std::string::npos) report = test::port_of(*l);
    }
    BOOST_TEST_REQUIRE(report != 0);
    peer at_prompt(report);
    BOOST_TEST(at_prompt.text_through(std::string(chat::report_protocol().prompt())).has_value());
    server.signal(SIGTERM);
    BOOST_TEST(at_prompt.closed_by_server(10s));
    BOOST_TEST(at_prompt.pending() == "{end_conn}");
    BOOST_TEST(server.wait(10s).value_or(-1) == 0);

    child_process help({exe, "serve", "chat", "--help"});
    BOOST_TEST(help.read_all().find("--report-port") != std::string::npos);
    BOOST_TEST(help.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(cli_errors_are_clear) {
    unsigned short closed = 0;
    {
        asio::io_context io;
        tcp::acceptor a(io, loopback(0));
        closed = a.local_endpoint().port();
    }
    child_process unreachable({exe, "chat", "127.0.0.1", std::to_string(closed), "--name", "x"});
    BOOST_TEST(unreachable.wait().value_or(-1) == 1);
    child_process bad_name({exe, "chat", "127.0.0.1", "1", "--name", "Server"});
    BOOST_TEST(bad_name.wait().value_or(-1) == 2);
    child_process help({exe, "chat", "--help"});
    BOOST_TEST(help.read_all().find("--protocol") != std::string::npos);
    BOOST_TEST(help.wait().value_or(-1) == 0);
    child_process server_help({exe, "serve", "chat", "--help"});
    const auto text = server_help.read_all();
    BOOST_TEST(text.find("--header-port") != std::string::npos);
    BOOST_TEST(text.find("--max-queue") != std::string::npos);
    BOOST_TEST(server_help.wait().value_or(-1) == 0);
    child_process bad_queue({exe, "serve", "chat", "--max-message", "1000", "--max-queue", "100"});
    BOOST_TEST(bad_queue.wait().value_or(-1) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
