// Smoke tests of the lesson examples: each server runs on port 0, its client (or the test) talks to
// it, and the replies are checked.
#include "support/child_process.hpp"

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

const std::string lesson001 = "lesson-001-parity-and-ok-bye";

}  // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(udp_parity_answers_ok_for_even_and_err_for_odd) {
    child_process server({example(lesson001, "lesson001_parity_server"), "0"});
    const auto port = std::to_string(server.wait_listening());
    // "ciao" (4 bytes), "ciao!" (5), "" (0).
    const auto r =
        run_client({example(lesson001, "lesson001_parity_client"), "127.0.0.1", port}, "ciao\nciao!\n\n");
    BOOST_TEST(r.status == 0);
    const std::vector<std::string> expected{"OK", "Err", "OK"};
    BOOST_TEST(values_after(r.out, "Reply from Server: ") == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(tcp_ok_bye_answers_ok_then_bye_and_serves_the_next_client) {
    child_process server({example(lesson001, "lesson001_ok_bye_server"), "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::vector<std::string> client{example(lesson001, "lesson001_ok_bye_client"), "127.0.0.1", port};
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
    child_process server({example(lesson001, "lesson001_ok_bye_server"), "0"});
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
    child_process client({example(lesson001, "lesson001_ok_bye_client"), "127.0.0.1", port});
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

BOOST_AUTO_TEST_CASE(sequential_tcp_echo_serves_one_client_after_another) {
    child_process server({example("lesson-002-echo", "lesson002_echo_server"), "0"});
    const auto port = std::to_string(server.wait_listening());
    for (const std::string text : {"ciao mondo", "second client"}) {
        const auto r =
            run_client({example("lesson-002-echo", "lesson002_echo_client"), "127.0.0.1", port}, text + "\n");
        BOOST_TEST(r.status == 0);
        BOOST_TEST(values_after(r.out, "S: ") == std::vector<std::string>{text},
                   boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(udp_echo_returns_the_message_and_stops_on_sigterm) {
    child_process server({example("lesson-002-udp-echo", "lesson002_udp_echo_server"), "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::string client = example("lesson-002-udp-echo", "lesson002_udp_echo_client");
    const auto r = run_client({client, "127.0.0.1", port}, "ciao udp\n");
    BOOST_TEST(r.status == 0);
    BOOST_TEST(values_after(r.out, "S: ") == std::vector<std::string>{"ciao udp"},
               boost::test_tools::per_element());
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(date_answers_date_with_a_date_line_and_ignores_other_requests) {
    child_process server({example("lesson-002-date", "lesson002_date_server"), "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::string client = example("lesson-002-date", "lesson002_date_client");
    const auto r = run_client({client, "127.0.0.1", port});
    BOOST_TEST(r.status == 0);
    // e.g. "Sun Nov 22 22:17:06 UTC 2026"
    static const std::regex date_line(R"([A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \S+ \d{4}\n)");
    BOOST_TEST(std::regex_match(r.out, date_line), "not a date line: '" << r.out << "'");

    const auto ignored = run_client({client, "127.0.0.1", port, "time"});
    BOOST_TEST(ignored.status == 1);
    BOOST_TEST(ignored.out.empty());
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(dual_stack_accepts_ipv4_and_ipv6_clients) {
    child_process server({example("lesson-002-dual-stack", "lesson002_dual_stack_server"), "0"});
    const auto port = std::to_string(server.wait_listening());
    const std::string client = example("lesson-002-dual-stack", "lesson002_dual_stack_client");
    const auto v4 = run_client({client, "127.0.0.1", port});
    BOOST_TEST(v4.status == 0);
    BOOST_TEST(v4.out.find("hello [::ffff:127.0.0.1]:") != std::string::npos, v4.out);
    BOOST_TEST(v4.out.find("you came over IPv4\n") != std::string::npos, v4.out);
    const auto v6 = run_client({client, "::1", port});
    BOOST_TEST(v6.status == 0);
    BOOST_TEST(v6.out.find("hello [::1]:") != std::string::npos, v6.out);
    BOOST_TEST(v6.out.find("you came over IPv6\n") != std::string::npos, v6.out);
}

BOOST_AUTO_TEST_CASE(multi_process_workers_share_the_port_and_stop_cleanly) {
    child_process server({example("lesson-002-multi-process", "lesson002_multi_process_server"), "0", "3"});
    std::set<pid_t> workers;
    unsigned short port = 0;
    while (auto line = server.read_line()) {
        if (auto w = values_after(*line + "\n", "worker "); !w.empty()) workers.insert(std::stoi(w[0]));
        if (line->rfind("listening on ", 0) == 0) {
            port = netkit::test::port_of(*line);
            break;
        }
    }
    BOOST_TEST_REQUIRE(port != 0);
    BOOST_TEST_REQUIRE(workers.size() == 3u);

    // Several connections open at once, each echoed intact.
    constexpr int connections = 12;
    asio::io_context io;
    std::vector<tcp::socket> sockets;
    std::vector<std::string> sent(connections), received(connections);
    int echoed = 0;
    for (int i = 0; i < connections; ++i) {
        sockets.emplace_back(io).connect({asio::ip::make_address("127.0.0.1"), port});
        sent[i] = "message " + std::to_string(i) + " through one of the workers\n";
        received[i].resize(sent[i].size());
        asio::async_write(sockets[i], asio::buffer(sent[i]), [](boost::system::error_code, std::size_t) {});
        asio::async_read(sockets[i], asio::buffer(received[i]),
                         [&echoed](boost::system::error_code ec, std::size_t) { echoed += !ec; });
    }
    io.run_for(std::chrono::seconds(10));
    BOOST_TEST(echoed == connections);
    BOOST_TEST(received == sent, boost::test_tools::per_element());

    // Each worker logs the connections it serves: the kernel spread them over several workers
    // (all 12 on one of 3 workers has a probability of about 1 in 180000).
    std::set<pid_t> serving;
    for (int seen = 0; seen < connections;) {
        const auto line = server.read_line(std::chrono::seconds(5));
        BOOST_TEST_REQUIRE(line.has_value(), "only " << seen << " connections were logged");
        if (auto w = values_after(*line + "\n", "INFO worker "); !w.empty()) {
            BOOST_TEST(w[0].find(" serves 127.0.0.1:") != std::string::npos, *line);
            serving.insert(std::stoi(w[0]));
            ++seen;
        }
    }
    BOOST_TEST(serving.size() >= 2u);
    for (pid_t pid : serving) BOOST_TEST(workers.count(pid) == 1u, "unknown worker " << pid);

    sockets.clear();
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
    for (pid_t pid : workers)
        BOOST_TEST((::kill(pid, 0) == -1 && errno == ESRCH), "worker " << pid << " still there");
}

BOOST_AUTO_TEST_SUITE_END()
