// The `netkit` executable as an operator runs it: listening line, signals, exit status, errors.
#include "support/child_process.hpp"

#include <netkit/asio.hpp>

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <regex>
#include <thread>

using namespace netkit;
using netkit::test::child_process;

namespace {

const std::string exe = NETKIT_EXE;

tcp::endpoint loopback(unsigned short port) { return {asio::ip::make_address("127.0.0.1"), port}; }

// A port nobody listens on: bound once by us, then released.
unsigned short closed_port() {
    asio::io_context io;
    tcp::acceptor a(io, loopback(0));
    return a.local_endpoint().port();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(echo_server_prints_port_serves_and_exits_0_on_sigterm) {
    child_process server({exe, "serve", "echo", "--port", "0", "--threads", "2"});
    const auto port = server.wait_listening();
    BOOST_TEST(port != 0);

    child_process client({exe, "echo", "127.0.0.1", std::to_string(port), "hello", "world"});
    BOOST_TEST(client.read_all() == "hello world\n");
    BOOST_TEST(client.wait().value_or(-1) == 0);

    server.signal(SIGTERM);
    BOOST_TEST(server.wait(std::chrono::seconds(10)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(sigint_closes_open_connections_and_exits_0) {
    child_process server({exe, "serve", "echo", "--port", "0"});
    const auto port = server.wait_listening();
    asio::io_context io;
    tcp::socket s(io);
    s.connect(loopback(port));
    asio::write(s, asio::buffer("x", 1));
    char byte;
    asio::read(s, asio::buffer(&byte, 1));
    server.signal(SIGINT);
    boost::system::error_code ec;
    asio::read(s, asio::buffer(&byte, 1), ec);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(server.wait(std::chrono::seconds(10)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(echo_server_memory_stays_bounded_on_a_long_stream) {
    child_process server({exe, "serve", "echo", "--port", "0", "--threads", "1"});
    const auto port = server.wait_listening();
    asio::io_context io;
    tcp::socket s(io);
    s.connect(loopback(port));
    // Warm up, so the baseline includes the session's buffer and the allocator's arenas.
    const std::string chunk(1 << 20, 'z');
    std::string back(chunk.size(), '\0');
    asio::write(s, asio::buffer(chunk));
    asio::read(s, asio::buffer(back));
    const long before = test::peak_rss_kib(server.pid());

    constexpr int mib = 128;
    std::jthread sender([&] {
        for (int i = 0; i < mib; ++i) asio::write(s, asio::buffer(chunk));
        s.shutdown(tcp::socket::shutdown_send);
    });
    std::size_t total = 0;
    boost::system::error_code ec;
    while (!ec) total += s.read_some(asio::buffer(back), ec);
    sender.join();
    const long after = test::peak_rss_kib(server.pid());
    BOOST_TEST(total == std::size_t(mib) << 20);
    BOOST_TEST(before > 0);
    BOOST_TEST(after - before < 8 * 1024, "peak RSS grew by " << (after - before) << " KiB");
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(max_connections_option_is_enforced) {
    child_process server({exe, "serve", "echo", "--port", "0", "--max-connections", "1"});
    const auto port = server.wait_listening();
    asio::io_context io;
    tcp::socket first(io), second(io);
    first.connect(loopback(port));
    char byte;
    asio::write(first, asio::buffer("a", 1));
    asio::read(first, asio::buffer(&byte, 1));  // admitted
    second.connect(loopback(port));
    boost::system::error_code ec;
    asio::write(second, asio::buffer("b", 1), ec);
    asio::read(second, asio::buffer(&byte, 1), ec);
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset));
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(bad_options_exit_2_with_a_message) {
    child_process bad_port({exe, "serve", "echo", "--port", "70000"});
    BOOST_TEST(bad_port.wait().value_or(-1) == 2);
    child_process bad_bind({exe, "serve", "echo", "--bind", "nowhere"});
    BOOST_TEST(bad_bind.wait().value_or(-1) == 2);  // not an address: a usage error
    child_process absent_bind({exe, "serve", "echo", "--port", "0", "--bind", "192.0.2.1"});
    BOOST_TEST(absent_bind.wait().value_or(-1) == 1);  // an address this host lacks: a runtime failure
    child_process unknown({exe, "serve", "teleport"});
    BOOST_TEST(unknown.wait().value_or(-1) == 2);
    child_process help({exe, "serve", "echo", "--help"});
    BOOST_TEST(help.read_all().find("--max-connections") != std::string::npos);
    BOOST_TEST(help.wait().value_or(-1) == 0);
}

// Durations are checked before use: NaN, negative or huge seconds never reach a conversion.
BOOST_AUTO_TEST_CASE(out_of_range_durations_exit_2_naming_the_option) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"serve", "echo", "--port", "0", "--grace", "nan"}, "--grace"},
        {{"serve", "chat", "--header-port", "0", "--line-port", "0", "--flush-timeout", "-1"}, "--flush-timeout"},
        {{"serve", "files", "--port", "0", "--idle-timeout", "1e300"}, "--idle-timeout"},
        {{"serve", "exec", "--port", "0", "--timeout", "0"}, "--timeout"},
        {{"date", "127.0.0.1", "9", "--timeout", "-0.5"}, "--timeout"},
    };
    for (const auto& [args, option] : cases) {
        std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", exe};
        argv.insert(argv.end(), args.begin(), args.end());
        child_process run(argv);
        const std::string out = run.read_all();
        BOOST_TEST(run.wait().value_or(-1) == 2, args[1] << ' ' << option);
        BOOST_TEST(out.find(option + " must be") != std::string::npos, out);
    }
    child_process help({exe, "serve", "chat", "--help"});
    BOOST_TEST(help.read_all().find("--flush-timeout") != std::string::npos);
    BOOST_TEST(help.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(client_reports_an_unreachable_server) {
    child_process client({exe, "echo", "127.0.0.1", std::to_string(closed_port()), "hi"});
    BOOST_TEST(client.wait().value_or(-1) == 1);
    child_process udp_client({exe, "date", "127.0.0.1", std::to_string(closed_port()), "--timeout", "0.3"});
    BOOST_TEST(udp_client.wait().value_or(-1) == 1);
}

BOOST_AUTO_TEST_CASE(date_client_and_server) {
    child_process server({exe, "serve", "date", "--port", "0"});
    const auto port = server.wait_listening();
    child_process client({exe, "date", "127.0.0.1", std::to_string(port)});
    const std::string line = client.read_all();
    BOOST_TEST(client.wait().value_or(-1) == 0);
    BOOST_TEST(std::regex_match(line, std::regex(R"(^\w{3} \w{3} [ 0-9]\d \d\d:\d\d:\d\d \S+ \d{4}\n$)")), line);
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
