// The lesson 003 and 004 chat examples against Python peers written as the lessons write them
// (examples/lesson-00N-*/python/), both ways, checking the exact bytes of the lessons' protocols.
#include "support/chat_peer.hpp"
#include "support/child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <string>
#include <thread>
#include <vector>

using netkit::test::chat_peer;
using netkit::test::child_process;
using namespace std::chrono_literals;

namespace {

std::string example(const std::string& folder, const std::string& target) {
    return std::string(NETKIT_BINARY_DIR) + "/examples/" + folder + "/" + target;
}
std::vector<std::string> python(const std::string& folder, const std::string& script) {
    return {"/usr/bin/env", "python3", std::string(NETKIT_SOURCE_DIR) + "/examples/" + folder + "/python/" + script};
}
std::vector<std::string> with(std::vector<std::string> argv, const std::vector<std::string>& more) {
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
}

const std::string lesson003 = "lesson-003-header-chat";
const std::string lesson004 = "lesson-004-named-chat";
const std::string prompt = "Salve! Digita il tuo Nome seguito dal tasto Invio!";
const std::string taken = "Il nome scelto è già assegnato, inserire un nome diverso:";
std::string welcome(const std::string& name) {
    return "Benvenuto " + name + "! Se vuoi lasciare la Chat, scrivi {quit} per uscire.";
}

// Skips output lines until one starts with `prefix`; false if none does in time.
bool line_starting(child_process& p, const std::string& prefix, std::chrono::milliseconds timeout = 10s) {
    while (auto line = p.read_line(timeout))
        if (line->rfind(prefix, 0) == 0) return true;
    return false;
}

// What a client program has printed so far: `shows` waits until `wanted` appears after whatever
// it found last. The report's protocol has no delimiters, so two messages may share one printed
// line; searching the text, not whole lines, allows for that.
struct screen {
    child_process& program;
    std::string text;
    std::size_t seen = 0;
    bool shows(const std::string& wanted, std::chrono::milliseconds timeout = 10s) {
        for (;;) {
            if (const auto at = text.find(wanted, seen); at != std::string::npos) {
                seen = at + wanted.size();
                return true;
            }
            const auto line = program.read_line(timeout);
            if (!line) return false;
            text += *line + "\n";
        }
    }
};

// A raw report-protocol peer that has read the prompt, sent `name` and read the welcome.
// Another user's join notice may come first: a client is in the room from its first byte, as in
// the report, and the notice of a user who joined a moment earlier can still be on its way.
void join(chat_peer& p, const std::string& name) {
    BOOST_TEST_REQUIRE(p.text_through(prompt).value_or("").ends_with(prompt));
    p.send(name);
    BOOST_TEST_REQUIRE(p.text_through(welcome(name)).value_or("").ends_with(welcome(name)));
}

// Lesson 004: one of the two C++ servers with the report's client (Python) and raw peers.
void check_report_server(const std::string& target) {
    child_process server({example(lesson004, target), "127.0.0.1", "0"});
    const auto port = std::to_string(server.wait_listening());

    child_process anna_program(with(python(lesson004, "chat_client.py"), {"127.0.0.1", port}));
    screen anna{anna_program};
    BOOST_TEST_REQUIRE(anna.shows(prompt));
    anna_program.write_stdin("anna\n");  // the name: the first send, bare
    BOOST_TEST_REQUIRE(anna.shows(welcome("anna")));
    BOOST_TEST(anna.shows("anna si è unito alla chat!"));

    // A taken name is asked again; the prompt, the refusal, the welcome and the join are bare texts.
    chat_peer bruno(static_cast<unsigned short>(std::stoi(port)));
    BOOST_TEST_REQUIRE(bruno.text_through(prompt).value_or("") == prompt);
    bruno.send("anna");
    BOOST_TEST(bruno.text_through(taken).value_or("") == taken);
    bruno.send("bruno");
    const auto joined = welcome("bruno") + "bruno si è unito alla chat!";
    BOOST_TEST(bruno.text_through("unito alla chat!").value_or("") == joined);
    BOOST_TEST(anna.shows("bruno si è unito alla chat!"));

    // Every message reaches everyone as "name: text", the sender included.
    bruno.send("ciao anna");
    BOOST_TEST(bruno.text_through("ciao anna").value_or("") == "bruno: ciao anna");
    BOOST_TEST(anna.shows("bruno: ciao anna"));
    anna_program.write_stdin("ciao a tutti\n");
    BOOST_TEST(bruno.text_through("tutti").value_or("") == "anna: ciao a tutti");

    // {quit} at the name prompt closes the connection and tells nobody.
    chat_peer carla(static_cast<unsigned short>(std::stoi(port)));
    BOOST_TEST_REQUIRE(carla.text_through(prompt).value_or("") == prompt);
    carla.send("{quit}");
    BOOST_TEST(carla.closed_by_server());
    BOOST_TEST(carla.pending().empty());

    // {quit} after joining: closed, and the others are told.
    bruno.send("{quit}");
    BOOST_TEST(bruno.closed_by_server());
    BOOST_TEST(bruno.pending().empty(), bruno.pending());
    BOOST_TEST(anna.shows("bruno ha abbandonato la Chat."));

    chat_peer dora(static_cast<unsigned short>(std::stoi(port)));
    join(dora, "dora");
    BOOST_TEST(dora.text_through("dora si è unito alla chat!").has_value());
    BOOST_TEST(anna.shows("dora si è unito alla chat!"));

    // Ctrl-C: {end_conn}, bare and alone, is the last thing each client receives. The report's
    // client recognises it only when one recv() returns exactly "{end_conn}".
    server.signal(SIGINT);
    BOOST_TEST(dora.closed_by_server(10s));
    BOOST_TEST(dora.pending() == "{end_conn}");
    BOOST_TEST(anna.shows("The server has closed the chat."));
    BOOST_TEST(anna_program.wait().value_or(-1) == 0);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(examples_chat)

BOOST_AUTO_TEST_CASE(header_server_relays_the_lessons_bytes_to_its_python_client) {
    child_process server({example(lesson003, "lesson-003-header-chat-server"), "127.0.0.1", "0"});
    const auto port = server.wait_listening();

    child_process ana(with(python(lesson003, "client.py"), {"127.0.0.1", std::to_string(port), "ana"}));
    BOOST_TEST_REQUIRE(line_starting(server, "Accepted new connection from 127.0.0.1:"));
    chat_peer bob(port);
    bob.send_frame("bob");  // the username is the first message
    BOOST_TEST_REQUIRE(line_starting(server, "Accepted new connection from 127.0.0.1:"));

    // The header arrives in two pieces: the lesson's single recv(HEADER_LENGTH) would misread it.
    const std::string message = netkit::framing::length_frame("ciao ana, è tutto ok?");
    bob.send(message.substr(0, 4));
    bob.send(message.substr(4));
    BOOST_TEST(ana.read_line().value_or("") == "bob > ciao ana, è tutto ok?");
    BOOST_TEST(server.read_line().value_or("") == "Received message from bob: ciao ana, è tutto ok?");

    ana.write_stdin("hi bob\n");
    // The lesson's broadcast: username header + name, message header + text, not to the sender.
    BOOST_TEST(bob.read_exactly(10 + 3 + 10 + 6).value_or("") == "3         ana6         hi bob");
    BOOST_TEST(bob.silent_for(200ms));
    ana.close_stdin();
    BOOST_TEST(ana.wait().value_or(-1) == 0);
    BOOST_TEST(line_starting(server, "Closed connection from: ana"));
    server.signal(SIGINT);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

// Where the one-loop server does better than the lesson's: a bad header or a client that stops
// reading ends that client only, and the loop goes on serving the others.
BOOST_AUTO_TEST_CASE(header_server_closes_a_bad_or_stuck_client_and_serves_the_rest) {
    child_process server({example(lesson003, "lesson-003-header-chat-server"), "127.0.0.1", "0"});
    const auto port = server.wait_listening();
    chat_peer reader(port), writer(port), slow(port, 4096), bad(port);
    const std::vector<std::pair<chat_peer*, std::string>> users = {
        {&reader, "reader"}, {&writer, "writer"}, {&slow, "slow"}, {&bad, "bad"}};
    for (const auto& [peer, name] : users) {
        peer->send_frame(name);
        BOOST_TEST_REQUIRE(line_starting(server, "Accepted new connection from 127.0.0.1:"));
    }
    bad.send("12x       hello");  // not a decimal length
    BOOST_TEST(bad.closed_by_server());

    // 8 MiB through the room while `slow` reads nothing: it is dropped, the others go on. The
    // server prints every message, as the lesson's does: read its output meanwhile, or the full
    // pipe would stop its one thread.
    std::jthread drain([&server] {
        while (server.read_line(2s)) {
        }
    });
    const std::string text(1000, 'y');
    int rounds = 0;
    for (; rounds < 8192; ++rounds) {
        writer.send_frame(text);
        const auto event = reader.event();
        if (!event || event->first != "writer" || event->second != text) break;
    }
    BOOST_TEST(rounds == 8192);
    BOOST_TEST(slow.closed_by_server(10s));
    BOOST_TEST(slow.total_received() < 8192u * 1026u);
    drain.join();
    server.signal(SIGINT);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(header_client_talks_to_the_lessons_python_server) {
    child_process server(with(python(lesson003, "server.py"), {"127.0.0.1", "0"}));
    const auto port = server.wait_listening();

    child_process ana({example(lesson003, "lesson-003-header-chat-client"), "127.0.0.1", std::to_string(port), "ana"});
    BOOST_TEST_REQUIRE(line_starting(server, "Accepted new connection from 127.0.0.1:"));
    chat_peer bob(port);
    bob.send_frame("bob");
    BOOST_TEST_REQUIRE(line_starting(server, "Accepted new connection from 127.0.0.1:"));

    bob.send_frame("ciao ana");
    BOOST_TEST(ana.read_line().value_or("") == "bob > ciao ana");
    ana.write_stdin("hi bob\n");
    BOOST_TEST(line_starting(server, "Received message from ana: hi bob"));
    BOOST_TEST(bob.read_exactly(10 + 3 + 10 + 6).value_or("") == "3         ana6         hi bob");

    server.signal(SIGINT);  // the lesson's server just ends: the client sees the connection close
    BOOST_TEST(ana.read_line().value_or("") == "Connection closed by the server");
    BOOST_TEST(ana.wait().value_or(-1) == 0);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(thread_server_speaks_the_reports_bytes) {
    check_report_server("lesson-004-named-chat-thread-server");
}

BOOST_AUTO_TEST_CASE(strand_server_speaks_the_reports_bytes) {
    check_report_server("lesson-004-named-chat-strand-server");
}

// What the strand server adds: a client that stops reading delays nobody (in the thread server,
// as in the report, the sender's thread would block on it) and is dropped past 1 MiB queued.
BOOST_AUTO_TEST_CASE(strand_server_drops_a_client_that_stops_reading_and_others_go_on) {
    child_process server({example(lesson004, "lesson-004-named-chat-strand-server"), "127.0.0.1", "0"});
    const auto port = server.wait_listening();
    chat_peer slow(port, 4096);
    join(slow, "slow");
    chat_peer fast(port);
    join(fast, "fast");
    BOOST_TEST_REQUIRE(fast.text_through("fast si è unito alla chat!").has_value());

    // 8 MiB through the room, one message per round trip (the protocol has no delimiters); the
    // kernel buffers of `slow` hold a few MiB at most, the server's queue 1 MiB more.
    const std::string text(1000, 'x');
    int rounds = 0;
    for (; rounds < 8192; ++rounds) {
        fast.send(text);
        if (!fast.text_through("fast: " + text).has_value()) break;  // "slow ha abbandonato" may come first
    }
    BOOST_TEST(rounds == 8192);
    BOOST_TEST(slow.closed_by_server(10s));  // what was queued, then the end
    BOOST_TEST(slow.total_received() < 8192u * 1006u);
    server.signal(SIGINT);
    BOOST_TEST(fast.closed_by_server(10s));
    BOOST_TEST(fast.pending().ends_with("{end_conn}"), fast.pending().substr(0, 200));
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(report_client_talks_to_the_reports_python_server) {
    child_process server(with(python(lesson004, "chat_server.py"), {"127.0.0.1", "0"}));
    const auto port = server.wait_listening();

    child_process anna_program({example(lesson004, "lesson-004-named-chat-client"), "127.0.0.1", std::to_string(port)});
    screen anna{anna_program};
    BOOST_TEST_REQUIRE(anna.shows(prompt));
    anna_program.write_stdin("anna\n");
    BOOST_TEST_REQUIRE(anna.shows(welcome("anna")));
    BOOST_TEST(anna.shows("anna si è unito alla chat!"));  // before bruno connects: he would get it too

    // The report's server compares names exactly: "anna" is taken only if the client sent no "\n".
    chat_peer bruno(port);
    BOOST_TEST_REQUIRE(bruno.text_through(prompt).value_or("") == prompt);
    bruno.send("anna");
    BOOST_TEST(bruno.text_through(taken).value_or("") == taken);
    bruno.send("bruno");
    BOOST_TEST(bruno.text_through(welcome("bruno")).value_or("") == welcome("bruno"));
    BOOST_TEST(anna.shows("bruno si è unito alla chat!"));
    BOOST_TEST(bruno.text_through("bruno si è unito alla chat!").has_value());

    bruno.send("ciao anna");
    BOOST_TEST(anna.shows("bruno: ciao anna"));
    BOOST_TEST(bruno.text_through("bruno: ciao anna").value_or("") == "bruno: ciao anna");
    anna_program.write_stdin("ciao bruno\n");
    BOOST_TEST(bruno.text_through("ciao bruno").value_or("") == "anna: ciao bruno");

    // {quit} from a second C++ client: it ends, and the others are told.
    child_process carla_program({example(lesson004, "lesson-004-named-chat-client"), "127.0.0.1", std::to_string(port)});
    screen carla{carla_program};
    BOOST_TEST_REQUIRE(carla.shows(prompt));
    carla_program.write_stdin("carla\n");
    BOOST_TEST_REQUIRE(carla.shows(welcome("carla")));
    BOOST_TEST(bruno.text_through("carla si è unito alla chat!").has_value());
    carla_program.write_stdin("{quit}\n");
    BOOST_TEST(carla_program.wait().value_or(-1) == 0);
    BOOST_TEST(bruno.text_through("carla ha abbandonato la Chat.").has_value());
    BOOST_TEST(anna.shows("carla ha abbandonato la Chat."));

    // Ctrl-C on the report's server: {end_conn} arrives bare; the client says so and ends.
    server.signal(SIGINT);
    BOOST_TEST(bruno.closed_by_server(10s));
    BOOST_TEST(bruno.pending() == "{end_conn}");
    BOOST_TEST(anna.shows("The server has closed the chat."));
    BOOST_TEST(anna_program.wait().value_or(-1) == 0);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(every_program_answers_help_and_rejects_a_bad_argument) {
    const std::vector<std::pair<std::string, std::string>> programs = {
        {lesson003, "lesson-003-header-chat-server"},      {lesson003, "lesson-003-header-chat-client"},
        {lesson004, "lesson-004-named-chat-thread-server"}, {lesson004, "lesson-004-named-chat-strand-server"},
        {lesson004, "lesson-004-named-chat-client"}};
    for (const auto& [folder, target] : programs) {
        child_process help({example(folder, target), "--help"});
        BOOST_TEST(help.read_all().rfind("usage: " + target, 0) == 0u, target);
        BOOST_TEST(help.wait().value_or(-1) == 0, target);
        // A port out of range, where the program takes a port second.
        const bool client003 = target == "lesson-003-header-chat-client";
        child_process bad(client003 ? std::vector<std::string>{example(folder, target), "127.0.0.1", "70000", "ana"}
                                    : std::vector<std::string>{example(folder, target), "127.0.0.1", "70000"});
        BOOST_TEST(bad.read_all().empty(), target);  // nothing on standard output, the message is on stderr
        BOOST_TEST(bad.wait().value_or(-1) == 2, target);
    }
}

BOOST_AUTO_TEST_SUITE_END()
