// The lesson examples (lessons 000-002): each server runs on port 0, its client (or the test, or
// a Python peer written as the lesson writes it, from examples/*/python/) talks to it, and the
// bytes exchanged are checked both ways. Lessons 003 and 004 are in test_examples_chat.cpp.
#include "support/child_process.hpp"
#include "support/redis_server.hpp"

#include <netkit/asio.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <cerrno>
#include <regex>
#include <set>

using netkit::test::child_process;
namespace asio = netkit::asio;
using netkit::tcp;

namespace {

std::string example(const std::string& folder, const std::string& target) {
    return std::string(NETKIT_BINARY_DIR) + "/examples/" + folder + "/" + target;
}

// `python3 examples/FOLDER/python/FILE ARGS...`: the lesson's own program, as a peer.
std::vector<std::string> python(const std::string& folder, const std::string& file,
                                const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv{"/usr/bin/env", "python3",
                                  std::string(NETKIT_SOURCE_DIR) + "/examples/" + folder + "/python/" + file};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

struct client_result {
    std::string out;
    int status = -1;
};

// Runs a client with `input` on its standard input, until it exits.
client_result run_client(const std::vector<std::string>& argv, const std::string& input = "") {
    child_process c(argv);
    c.write_stdin(input);
    c.close_stdin();
    client_result r;
    r.out = c.read_all();
    r.status = c.wait().value_or(-1);
    return r;
}

// Every "<prefix>X" line's X, in order.
std::vector<std::string> values_after(const std::string& text, const std::string& prefix) {
    std::vector<std::string> found;
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
        at += prefix.size();
        found.push_back(text.substr(at, text.find('\n', at) - at));
    }
    return found;
}

const std::string lesson000 = "lesson-000-remote-command";
const std::string lesson001 = "lesson-001-parity-and-ok-bye";
const std::string echo = "lesson-002-echo";
const std::string loopback = "127.0.0.1";

}  // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(udp_parity_answers_ok_for_even_and_err_for_odd) {
    child_process server({example(lesson001, "lesson-001-parity-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    // "ciao" (4 bytes), "ciao!" (5), "" (0).
    const auto r =
        run_client({example(lesson001, "lesson-001-parity-client"), "127.0.0.1", port}, "ciao\nciao!\n\n");
    BOOST_TEST(r.status == 0);
    const std::vector<std::string> expected{"OK", "Err", "OK"};
    BOOST_TEST(values_after(r.out, "Reply from Server: ") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tcp_ok_bye_answers_ok_then_bye_and_serves_the_next_client) {
    child_process server({example(lesson001, "lesson-001-ok-bye-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::vector<std::string> client{example(lesson001, "lesson-001-ok-bye-client"), "127.0.0.1", port};
    // The client stops at "bye": the last line is never sent.
    const auto first = run_client(client, "hello\nworld\nclose\nnever sent\n");
    BOOST_TEST(first.status == 0);
    const std::vector<std::string> expected{"OK", "OK", "bye"};
    BOOST_TEST(values_after(first.out, "Received: ") == expected, boost::test_tools::per_element());
    // The server closed that connection and waits for the next client.
    const auto second = run_client(client, "close\n");
    BOOST_TEST(values_after(second.out, "Received: ") == std::vector<std::string>{"bye"},
               boost::test_tools::per_element());
}

// The lesson's Python programs send bare text ("hello", "close") and answer bare "OK"/"bye":
// the examples must mix with them, so both sides are checked byte for byte.
BOOST_AUTO_TEST_CASE(tcp_ok_bye_server_speaks_the_lessons_bytes) {
    child_process server({example(lesson001, "lesson-001-ok-bye-server"), loopback, "0"});
    const auto port = server.wait_listening();
    asio::io_context io;
    tcp::socket python_client(io);
    python_client.connect({asio::ip::make_address("127.0.0.1"), port});
    std::string answer(2, '\0');
    for (const std::string message : {"hello", "nc adds a newline\n"}) {
        asio::write(python_client, asio::buffer(message));
        asio::read(python_client, asio::buffer(answer));
        BOOST_TEST(answer == "OK");
    }
    asio::write(python_client, asio::buffer(std::string("close")));
    std::string rest;
    boost::system::error_code ec;
    asio::read(python_client, asio::dynamic_buffer(rest), ec);  // up to the server's close
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(rest == "bye");  // nothing before it: no newline after the "OK"s either
}

BOOST_AUTO_TEST_CASE(tcp_ok_bye_client_speaks_the_lessons_bytes) {
    asio::io_context io;
    tcp::acceptor python_server(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = std::to_string(python_server.local_endpoint().port());
    child_process client({example(lesson001, "lesson-001-ok-bye-client"), "127.0.0.1", port});
    client.write_stdin("hello\n\nclose\n");  // the empty line is not sent: TCP has no empty message
    client.close_stdin();
    tcp::socket conn = python_server.accept();
    std::string message(5, '\0');
    asio::read(conn, asio::buffer(message));
    BOOST_TEST(message == "hello");
    asio::write(conn, asio::buffer(std::string("OK")));
    asio::read(conn, asio::buffer(message));
    BOOST_TEST(message == "close");  // would start with '\n' if the client framed its messages
    asio::write(conn, asio::buffer(std::string("bye")));
    const std::string out = client.read_all();
    BOOST_TEST(client.wait().value_or(-1) == 0);
    BOOST_TEST(values_after(out, "Received: ") == (std::vector<std::string>{"OK", "bye"}),
               boost::test_tools::per_element());
}

// Lesson 001 with the lesson's own Python programs on the other side, both ways.
BOOST_AUTO_TEST_CASE(lesson001_interoperates_with_the_lessons_python_programs) {
    {
        child_process server({example(lesson001, "lesson-001-ok-bye-server"), loopback, "0"});
        const auto port = std::to_string(server.wait_listening());
        const auto r = run_client(python(lesson001, "ok_bye_client.py", {loopback, port}), "hello\nclose\n");
        BOOST_TEST(r.status == 0);
        BOOST_TEST(r.out == "Message to send: Received: OK\nMessage to send: Received: bye\n");
    }
    {
        child_process server(python(lesson001, "ok_bye_server.py", {loopback, "0"}));
        const auto port = std::to_string(server.wait_listening());
        const auto r = run_client({example(lesson001, "lesson-001-ok-bye-client"), loopback, port}, "hello\nclose\n");
        BOOST_TEST(r.status == 0);
        BOOST_TEST(values_after(r.out, "Received: ") == (std::vector<std::string>{"OK", "bye"}),
                   boost::test_tools::per_element());
        BOOST_TEST(server.wait().value_or(-1) == 0);  // the lesson's server ends after "close"
    }
    {
        child_process server({example(lesson001, "lesson-001-parity-server"), loopback, "0"});
        const auto port = std::to_string(server.wait_listening());
        const auto r = run_client(python(lesson001, "parity_client.py", {loopback, port}), "ciao!\n");
        BOOST_TEST(r.status == 0);
        BOOST_TEST(values_after(r.out, "Reply from Server: ") == std::vector<std::string>{"Err"},
                   boost::test_tools::per_element());
    }
    {
        child_process server(python(lesson001, "parity_server.py", {loopback, "0"}));
        const auto port = std::to_string(server.wait_listening());
        const auto r = run_client({example(lesson001, "lesson-001-parity-client"), loopback, port}, "ciao\nciao!\n");
        BOOST_TEST(r.status == 0);
        BOOST_TEST(values_after(r.out, "Reply from Server: ") == (std::vector<std::string>{"OK", "Err"}),
                   boost::test_tools::per_element());
    }
}

// Lesson 000: the lesson's client sends the bare command and prints one recv(); the example server
// answers with the raw output, runs only allowed programs, and never through a shell.
BOOST_AUTO_TEST_CASE(command_server_answers_the_lessons_client_with_raw_output) {
    child_process server({example(lesson000, "lesson-000-command-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    const auto r = run_client(python(lesson000, "client.py", {loopback, port}),
                              "echo ciao mondo\necho a; uname\nrm -rf /tmp/x\nESC\n");
    BOOST_TEST(r.status == 0);
    // print() adds a newline after the output's own; `;` is a plain word, not a second command.
    const std::string expected = "Connessessione al Server: ('127.0.0.1', " + port + ") effettuata.\n" +
                                 "-> ciao mondo\n\n" + "-> a; uname\n\n" +
                                 "-> 'rm' is not an allowed program (allowed: date echo hostname uname uptime whoami)\n\n" +
                                 "-> Sto chiudendo la connessione col Server.\n";
    BOOST_TEST(r.out == expected);
}

BOOST_AUTO_TEST_CASE(command_client_shows_the_lessons_server_output) {
    child_process server(python(lesson000, "server.py", {loopback, "0"}));
    const auto port = std::to_string(server.wait_listening());
    // The lesson's server runs a shell, so the same line gives two commands' output there.
    const auto r = run_client({example(lesson000, "lesson-000-command-client"), loopback, port},
                              "echo uno; echo due\nESC\n");
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out == "Connessione al Server: ('127.0.0.1', " + port + ") effettuata.\n-> uno\ndue\n\n" +
                            "-> Sto chiudendo la connessione col Server.\n");
}

BOOST_AUTO_TEST_CASE(command_server_sends_the_bare_output_bytes) {
    child_process server({example(lesson000, "lesson-000-command-server"), loopback, "0"});
    const auto port = server.wait_listening();
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address(loopback), port});
    asio::write(s, asio::buffer(std::string("echo $HOME `id` > /tmp/f")));  // no newline, as the lesson
    std::string reply;
    asio::read(s, asio::dynamic_buffer(reply), asio::transfer_at_least(1));
    const std::string expected = "$HOME `id` > /tmp/f\n";  // echo's own output, nothing around it
    while (reply.size() < expected.size()) asio::read(s, asio::dynamic_buffer(reply), asio::transfer_at_least(1));
    BOOST_TEST(reply == expected);
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

// Lesson 002's three server models, one client for all: one message, its echo, then close.
BOOST_AUTO_TEST_CASE(echo_client_works_against_all_three_server_models) {
    for (const std::string model : {"sequential", "fork", "thread"}) {
        BOOST_TEST_CONTEXT(model) {
            child_process server({example(echo, "lesson-002-" + model + "-echo-server"), loopback, "0"});
            const auto port = std::to_string(server.wait_listening());
            for (const std::string text : {"ciao mondo", "second client"}) {
                const auto r = run_client({example(echo, "lesson-002-echo-client"), loopback, port}, text + "\n");
                BOOST_TEST(r.status == 0);
                BOOST_TEST(r.out == "Inserire un messaggio di echo:\nS: " + text + "\n");
            }
        }
    }
}

// The echo client reads as many bytes as it sent, so a server that keeps the connection open
// (here `netkit serve echo`-like: the test echoes and waits) does not hang it.
BOOST_AUTO_TEST_CASE(echo_client_does_not_wait_for_the_server_to_close) {
    asio::io_context io;
    tcp::acceptor listener(io, {asio::ip::make_address(loopback), 0});
    child_process client({example(echo, "lesson-002-echo-client"), loopback,
                          std::to_string(listener.local_endpoint().port())});
    client.write_stdin("kept open\n");
    client.close_stdin();
    tcp::socket conn = listener.accept();
    std::string message(9, '\0');
    asio::read(conn, asio::buffer(message));
    asio::write(conn, asio::buffer(message));
    const std::string out = client.read_all(std::chrono::seconds(5));  // conn is still open here
    BOOST_TEST(client.wait(std::chrono::seconds(1)).value_or(-1) == 0);
    BOOST_TEST(out == "Inserire un messaggio di echo:\nS: kept open\n");
}

// A first client that connects and says nothing: the concurrent models serve a second one
// meanwhile; the sequential one makes it wait until the first is done.
BOOST_AUTO_TEST_CASE(process_and_thread_per_connection_serve_clients_at_once) {
    for (const std::string model : {"fork", "thread"}) {
        BOOST_TEST_CONTEXT(model) {
            child_process server({example(echo, "lesson-002-" + model + "-echo-server"), loopback, "0"});
            const auto port = server.wait_listening();
            asio::io_context io;
            tcp::socket silent(io);
            silent.connect({asio::ip::make_address(loopback), port});
            const auto r = run_client({example(echo, "lesson-002-echo-client"), loopback, std::to_string(port)},
                                      "meanwhile\n");
            BOOST_TEST(r.out == "Inserire un messaggio di echo:\nS: meanwhile\n");
        }
    }
}

BOOST_AUTO_TEST_CASE(sequential_server_serves_one_client_at_a_time) {
    child_process server({example(echo, "lesson-002-sequential-echo-server"), loopback, "0"});
    const auto port = server.wait_listening();
    asio::io_context io;
    tcp::socket first(io);
    first.connect({asio::ip::make_address(loopback), port});
    child_process second({example(echo, "lesson-002-echo-client"), loopback, std::to_string(port)});
    second.write_stdin("second\n");
    second.close_stdin();
    BOOST_TEST(second.read_line().value_or("(none)") == "Inserire un messaggio di echo:");
    // Connected (the listen queue took it) but not served while `first` holds the server.
    BOOST_TEST(!second.read_line(std::chrono::milliseconds(500)).has_value());
    std::string reply(5, '\0');
    asio::write(first, asio::buffer(std::string("first")));
    asio::read(first, asio::buffer(reply));
    BOOST_TEST(reply == "first");
    BOOST_TEST(second.read_line().value_or("(none)") == "S: second");
}

// Fork after accept: each connection gets its own process, which serves it, exits and is reaped
// by the parent (a zombie would still answer kill(pid, 0)).
BOOST_AUTO_TEST_CASE(fork_server_serves_each_client_in_a_child_that_is_reaped) {
    child_process server({example(echo, "lesson-002-fork-echo-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    for (const std::string text : {"one", "two"})
        BOOST_TEST(run_client({example(echo, "lesson-002-echo-client"), loopback, port}, text + "\n").status == 0);
    std::set<pid_t> served, reaped;
    std::vector<std::string> echoed;
    while (reaped.size() < 2) {
        const auto line = server.read_line(std::chrono::seconds(5));
        BOOST_TEST_REQUIRE(line.has_value(), "children served: " << served.size() << ", reaped: " << reaped.size());
        if (auto v = values_after(*line + "\n", "child "); !v.empty()) {
            const pid_t pid = std::stoi(v[0]);
            if (v[0].ends_with(" serves it")) served.insert(pid);
            if (v[0].ends_with(" reaped")) reaped.insert(pid);
            if (auto c = values_after(v[0] + "\n", " C: "); !c.empty()) echoed.push_back(c[0]);
        }
    }
    BOOST_TEST(served == reaped, boost::test_tools::per_element());
    BOOST_TEST(served.count(server.pid()) == 0u);
    BOOST_TEST(echoed == (std::vector<std::string>{"one", "two"}), boost::test_tools::per_element());
    for (pid_t pid : reaped) BOOST_TEST((::kill(pid, 0) == -1 && errno == ESRCH), "child " << pid << " is still there");
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(echo_interoperates_with_the_lessons_python_programs) {
    child_process server({example(echo, "lesson-002-fork-echo-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    const auto from_python = run_client(python(echo, "echo_client.py", {loopback, port}), "dal client python\n");
    BOOST_TEST(from_python.status == 0);
    BOOST_TEST(from_python.out == "Inserire un messaggio di echo:\nS: dal client python\n");

    child_process python_server(python(echo, "echo_server.py", {loopback, "0"}));
    const auto python_port = std::to_string(python_server.wait_listening());
    const auto to_python = run_client({example(echo, "lesson-002-echo-client"), loopback, python_port}, "al server python\n");
    BOOST_TEST(to_python.status == 0);
    BOOST_TEST(to_python.out == "Inserire un messaggio di echo:\nS: al server python\n");
}

BOOST_AUTO_TEST_CASE(udp_echo_returns_the_message_and_stops_on_sigterm) {
    child_process server({example("lesson-002-udp-echo", "lesson-002-udp-echo-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::string client = example("lesson-002-udp-echo", "lesson-002-udp-echo-client");
    const auto r = run_client({client, loopback, port}, "ciao udp\n");
    BOOST_TEST(r.status == 0);
    BOOST_TEST(values_after(r.out, "S: ") == std::vector<std::string>{"ciao udp"},
               boost::test_tools::per_element());
    const auto from_python = run_client(python("lesson-002-udp-echo", "udp_echo_client.py", {loopback, port}), "da python\n");
    BOOST_TEST(from_python.out == "Inserire un messaggio di echo:\nS: da python\n");
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);

    child_process python_server(python("lesson-002-udp-echo", "udp_echo_server.py", {loopback, "0"}));
    const auto python_port = std::to_string(python_server.wait_listening());
    const auto to_python = run_client({client, loopback, python_port}, "a python\n");
    BOOST_TEST(to_python.status == 0);
    BOOST_TEST(to_python.out == "Inserire un messaggio di echo:\nS: a python\n");
}

BOOST_AUTO_TEST_CASE(date_answers_date_with_a_date_line_and_ignores_other_requests) {
    child_process server({example("lesson-002-date", "lesson-002-date-server"), loopback, "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::string client = example("lesson-002-date", "lesson-002-date-client");
    const auto r = run_client({client, loopback, port});
    BOOST_TEST(r.status == 0);
    // e.g. "Sun Nov 22 22:17:06 UTC 2026"
    static const std::regex date_line(R"([A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \S+ \d{4}\n)");
    BOOST_TEST(std::regex_match(r.out, date_line), "not a date line: '" << r.out << "'");
    const auto from_python = run_client(python("lesson-002-date", "date_client.py", {loopback, port}));
    BOOST_TEST(std::regex_match(from_python.out, date_line), "not a date line: '" << from_python.out << "'");

    const auto ignored = run_client({client, loopback, port, "time"});
    BOOST_TEST(ignored.status == 1);
    BOOST_TEST(ignored.out.empty());
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);

    child_process python_server(python("lesson-002-date", "date_server.py", {loopback, "0"}));
    const auto python_port = std::to_string(python_server.wait_listening());
    const auto to_python = run_client({client, loopback, python_port});
    BOOST_TEST(to_python.status == 0);
    BOOST_TEST(std::regex_match(to_python.out, date_line), "not a date line: '" << to_python.out << "'");
}

BOOST_AUTO_TEST_CASE(dual_stack_accepts_ipv4_and_ipv6_clients) {
    child_process server({example("lesson-002-dual-stack", "lesson-002-dual-stack-server"), "::", "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::string client = example("lesson-002-dual-stack", "lesson-002-dual-stack-client");
    const auto v4 = run_client({client, loopback, port});
    BOOST_TEST(v4.status == 0);
    BOOST_TEST(v4.out.find("hello [::ffff:127.0.0.1]:") != std::string::npos, v4.out);
    BOOST_TEST(v4.out.find("you came over IPv4\n") != std::string::npos, v4.out);
    const auto v6 = run_client({client, "::1", port});
    BOOST_TEST(v6.status == 0);
    BOOST_TEST(v6.out.find("hello [::1]:") != std::string::npos, v6.out);
    BOOST_TEST(v6.out.find("you came over IPv6\n") != std::string::npos, v6.out);
}

// The shared command line: --help is usage with exit 0, a wrong HOST or PORT exits 2 naming it.
BOOST_AUTO_TEST_CASE(every_example_answers_help_and_rejects_a_wrong_argument) {
    const std::vector<std::pair<std::string, std::string>> programs{
        {lesson000, "lesson-000-command-server"}, {lesson000, "lesson-000-command-client"},
        {lesson001, "lesson-001-parity-server"}, {lesson001, "lesson-001-parity-client"},
        {lesson001, "lesson-001-ok-bye-server"}, {lesson001, "lesson-001-ok-bye-client"},
        {echo, "lesson-002-sequential-echo-server"}, {echo, "lesson-002-fork-echo-server"},
        {echo, "lesson-002-thread-echo-server"}, {echo, "lesson-002-echo-client"},
        {"lesson-002-udp-echo", "lesson-002-udp-echo-server"}, {"lesson-002-udp-echo", "lesson-002-udp-echo-client"},
        {"lesson-002-date", "lesson-002-date-server"}, {"lesson-002-date", "lesson-002-date-client"},
        {"lesson-002-dual-stack", "lesson-002-dual-stack-server"}, {"lesson-002-dual-stack", "lesson-002-dual-stack-client"},
        {"lesson-002-file-copy", "lesson-002-file-copy-server"}, {"lesson-002-file-copy", "lesson-002-file-copy-client"},
        {"lesson-002-pubsub", "lesson-002-pubsub-publisher"}, {"lesson-002-pubsub", "lesson-002-pubsub-subscriber"}};
    for (const auto& [folder, target] : programs) {
        BOOST_TEST_CONTEXT(target) {
            const auto help = run_client({example(folder, target), "--help"});
            BOOST_TEST(help.status == 0);
            BOOST_TEST(help.out.rfind("usage: " + target + " [HOST] [PORT]", 0) == 0u, help.out);
            BOOST_TEST(run_client({example(folder, target), loopback, "70000"}).status == 2);
        }
    }
    BOOST_TEST(run_client({example(echo, "lesson-002-fork-echo-server"), "localhost", "0"}).status == 2);
}

// Lesson 002's Pool: four countdown tasks on 1 worker, then on 4; both runs finish and are timed.
BOOST_AUTO_TEST_CASE(pool_countdown_times_one_and_four_workers) {
    const auto r = run_client({example("lesson-002-pool", "lesson-002-pool-countdown"), "4000000"});
    BOOST_TEST(r.status == 0);
    static const std::regex report(R"(countdown\(4000000\) as 4 tasks of 1000000, \d+ cores\n)"
                                   R"(1 worker:  \d+\.\d{3} s\n4 workers: \d+\.\d{3} s  \(\d+\.\dx faster\)\n)");
    BOOST_TEST(std::regex_match(r.out, report), r.out);
    BOOST_TEST(run_client({example("lesson-002-pool", "lesson-002-pool-countdown"), "many"}).status == 2);
}

// Publish and subscribe through a private Redis: a message published after the subscriber joined
// reaches it; the publisher is told how many received it.
BOOST_AUTO_TEST_CASE(pubsub_message_reaches_the_subscriber_through_redis) {
    netkit::test::redis_server redis;
    const std::string port = std::to_string(redis.port());
    const std::string folder = "lesson-002-pubsub";
    child_process subscriber({example(folder, "lesson-002-pubsub-subscriber"), loopback, port, "classe-4a"});
    BOOST_TEST(subscriber.read_line().value_or("(none)") == "subscribed to 'classe-4a'");
    const auto published = run_client({example(folder, "lesson-002-pubsub-publisher"), loopback, port, "classe-4a"},
                                      "compiti per domani\n");
    BOOST_TEST(published.status == 0);
    BOOST_TEST(published.out == "publishing on 'classe-4a': type a message per line\nreceived by 1 subscriber(s)\n");
    BOOST_TEST(subscriber.read_line().value_or("(none)") == "classe-4a: compiti per domani");
    // Another channel's message is not delivered here.
    const auto elsewhere = run_client({example(folder, "lesson-002-pubsub-publisher"), loopback, port, "classe-5b"}, "altro\n");
    BOOST_TEST(elsewhere.out.find("received by 0 subscriber(s)") != std::string::npos, elsewhere.out);
}

BOOST_AUTO_TEST_SUITE_END()
