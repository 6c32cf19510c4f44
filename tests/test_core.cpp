// The core: endpoints, logging, tcp_server's limits, dual stack and graceful stop.
#include "support/hosted.hpp"

#include <netkit/echo/echo_session.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/log.hpp>
#include <netkit/tcp_server.hpp>
#include <netkit/write_all.hpp>

#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <future>
#include <optional>
#include <sstream>

using namespace netkit;

namespace {

// Sends `text` and reads the same number of bytes back.
std::string round_trip(tcp::socket& s, const std::string& text) {
    asio::write(s, asio::buffer(text));
    std::string back(text.size(), '\0');
    asio::read(s, asio::buffer(back));
    return back;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(core)

BOOST_AUTO_TEST_CASE(endpoints_print_both_families) {
    BOOST_TEST(to_string(tcp::endpoint(parse_address("127.0.0.1"), 80)) == "127.0.0.1:80");
    BOOST_TEST(to_string(tcp::endpoint(parse_address("::1"), 80)) == "[::1]:80");
    BOOST_CHECK_THROW(parse_address("localhost:80"), std::invalid_argument);
    std::ostringstream out;
    announce_listening(out, "127.0.0.1:1234", "header");
    BOOST_TEST(out.str() == "listening on 127.0.0.1:1234 (header)\n");
}

BOOST_AUTO_TEST_CASE(ports_are_decimal_numbers_up_to_65535) {
    BOOST_TEST(parse_port("0") == 0);
    BOOST_TEST(parse_port("65535") == 65535);
    for (const char* bad : {"", "65536", "70000", "-1", "12ab", " 80", "80 ", "0x50"})
        BOOST_CHECK_THROW(parse_port(bad), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(log_records_are_one_line_with_a_level) {
    std::ostringstream out;
    logger log(log_level::info, &out);
    log.debug("hidden");
    log.warn("name ", 42, " with\nnewline");
    const std::string text = out.str();
    BOOST_TEST(text.find("hidden") == std::string::npos);
    BOOST_TEST(text.find(" WARN name 42 with?newline\n") != std::string::npos);
    BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 1);
    BOOST_TEST((parse_log_level("debug").value() == log_level::debug));
    BOOST_TEST(!parse_log_level("loud").has_value());
}

BOOST_AUTO_TEST_CASE(bind_failure_names_the_address) {
    test::hosted h;
    auto& first = h.host().add_tcp({}, echo_session_factory());
    tcp_server_options same;
    same.port = first.local_endpoint().port();
    asio::io_context io;
    // SO_REUSEADDR does not allow two listeners on one port.
    try {
        tcp_server second(io, same, echo_session_factory(), h.log());
        BOOST_FAIL("binding a used port succeeded");
    } catch (const std::system_error& e) {
        BOOST_TEST(std::string(e.what()).find("127.0.0.1:" + std::to_string(same.port)) != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(dual_stack_accepts_both_families) {
    test::hosted h;
    auto& server = h.host().add_tcp({.bind_address = "::"}, echo_session_factory());
    h.start();
    asio::io_context io;
    for (const char* address : {"127.0.0.1", "::1"}) {
        tcp::socket s(io);
        s.connect(tcp::endpoint(parse_address(address), server.local_endpoint().port()));
        BOOST_TEST(round_trip(s, std::string("hello over ") + address) == std::string("hello over ") + address);
    }
}

BOOST_AUTO_TEST_CASE(max_connections_closes_the_extra_connection_at_once) {
    test::hosted h;
    auto& server = h.host().add_tcp({.max_connections = 3}, echo_session_factory());
    h.start();
    asio::io_context io;
    std::vector<tcp::socket> admitted;
    for (int i = 0; i < 3; ++i) {
        admitted.emplace_back(io);
        admitted.back().connect(server.local_endpoint());
        BOOST_TEST(round_trip(admitted.back(), "ping") == "ping");  // proves it was admitted
    }
    tcp::socket extra(io);
    extra.connect(server.local_endpoint());
    boost::system::error_code ec;
    char byte;
    asio::write(extra, asio::buffer("ping", 4), ec);
    asio::read(extra, asio::buffer(&byte, 1), ec);
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset));
    BOOST_TEST(server.connection_count() == 3u);

    // A slot that frees up is usable again.
    admitted.front().shutdown(tcp::socket::shutdown_send);
    asio::read(admitted.front(), asio::buffer(&byte, 1), ec);
    BOOST_TEST(ec == asio::error::eof);
    admitted.front().close();
    for (;;) {  // the server's bookkeeping finishes right after it closes its side
        if (server.connection_count() == 2u) break;
        std::this_thread::yield();
    }
    tcp::socket again(io);
    again.connect(server.local_endpoint());
    BOOST_TEST(round_trip(again, "pong") == "pong");
}

BOOST_AUTO_TEST_CASE(clients_are_counted_by_ipv4_address_or_ipv6_slash_64) {
    using asio::ip::make_address;
    BOOST_TEST(client_key(make_address("192.0.2.7")) == "192.0.2.7");
    BOOST_TEST(client_key(make_address("::ffff:192.0.2.7")) == "192.0.2.7");
    BOOST_TEST(client_key(make_address("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64");
    BOOST_TEST(client_key(make_address("2001:db8:1:2:bbbb::9")) == client_key(make_address("2001:db8:1:2::")));
    BOOST_TEST(client_key(make_address("2001:db8:1:3::1")) != client_key(make_address("2001:db8:1:2::1")));
}

BOOST_AUTO_TEST_CASE(max_per_address_closes_a_clients_extra_connection_but_not_anothers) {
    test::hosted h;
    auto& server = h.host().add_tcp({.max_connections = 10, .max_per_address = 2}, echo_session_factory());
    h.start();
    asio::io_context io;
    const auto connect_from = [&](const char* source) {
        tcp::socket s(io);
        s.open(tcp::v4());
        s.bind(tcp::endpoint(parse_address(source), 0));
        s.connect(server.local_endpoint());
        return s;
    };
    std::vector<tcp::socket> admitted;
    for (int i = 0; i < 2; ++i) {
        admitted.push_back(connect_from("127.0.0.1"));
        BOOST_TEST(round_trip(admitted.back(), "ping") == "ping");
    }
    // A third from the same address is closed at once ...
    auto extra = connect_from("127.0.0.1");
    boost::system::error_code ec;
    char byte;
    asio::write(extra, asio::buffer("ping", 4), ec);
    asio::read(extra, asio::buffer(&byte, 1), ec);
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset));
    // ... while another client (127.0.0.2 is loopback too) is served.
    auto other = connect_from("127.0.0.2");
    BOOST_TEST(round_trip(other, "pong") == "pong");
    BOOST_TEST(server.connection_count() == 3u);

    // When one of the first client's connections ends, it may open another.
    admitted.front().shutdown(tcp::socket::shutdown_send);
    asio::read(admitted.front(), asio::buffer(&byte, 1), ec);
    BOOST_TEST(ec == asio::error::eof);
    admitted.front().close();
    while (server.connection_count() != 2u) std::this_thread::yield();
    auto again = connect_from("127.0.0.1");
    BOOST_TEST(round_trip(again, "again") == "again");
}

BOOST_AUTO_TEST_CASE(stop_ends_idle_sessions_and_run_returns) {
    test::hosted h;
    auto& server = h.host().add_tcp({}, echo_session_factory());
    h.start(2);
    asio::io_context io;
    tcp::socket s(io);
    s.connect(server.local_endpoint());
    BOOST_TEST(round_trip(s, "before stop") == "before stop");
    const auto started = std::chrono::steady_clock::now();
    h.stop();  // returns only once run() has returned on every thread
    // The idle session ends gracefully (it stops reading), well before the 1 s grace period.
    BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::milliseconds(900)));
    char byte;
    boost::system::error_code ec;
    asio::read(s, asio::buffer(&byte, 1), ec);
    BOOST_TEST(ec == asio::error::eof);
}

BOOST_AUTO_TEST_CASE(accepted_sockets_get_nodelay_and_keepalive) {
    test::hosted h;
    std::promise<std::tuple<bool, bool, int>> seen;
    auto& server = h.host().add_tcp({.keepalive_idle = std::chrono::seconds(42)}, [&](stream st) {
        tcp::socket& s = st.socket();
        tcp::no_delay nodelay;
        asio::socket_base::keep_alive keepalive;
        s.get_option(nodelay);
        s.get_option(keepalive);
        int idle = 0;
        socklen_t len = sizeof idle;
        ::getsockopt(s.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, &len);
        seen.set_value({nodelay.value(), keepalive.value(), idle});
        return std::make_shared<echo_session>(std::move(st));
    });
    h.start(1);
    asio::io_context io;
    tcp::socket s(io);
    s.connect(server.local_endpoint());
    auto future = seen.get_future();
    BOOST_TEST_REQUIRE((future.wait_for(std::chrono::seconds(5)) == std::future_status::ready));
    const auto [nodelay, keepalive, idle] = future.get();
    BOOST_TEST(nodelay);
    BOOST_TEST(keepalive);
    BOOST_TEST(idle == 42);
}

// A connected loopback pair: `a` and `b` are the two ends.
struct socket_pair {
    asio::io_context io;
    tcp::socket a{io}, b{io};
    socket_pair() {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        a.connect(acceptor.local_endpoint());
        acceptor.accept(b);
    }
};

BOOST_AUTO_TEST_CASE(write_all_finishes_a_write_larger_than_the_send_buffer) {
    socket_pair pair;
    std::string big(32 << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 % 251);
    std::optional<boost::system::error_code> result;
    asio::co_spawn(pair.io, write_all(pair.a, asio::buffer(big)),
                   [&](std::exception_ptr e, boost::system::error_code ec) {
                       if (!e) result = ec;
                   });
    pair.io.poll();
    // The peer has not read yet, so the kernel cannot have taken 32 MiB: the rest is pending.
    BOOST_TEST(!result.has_value());
    std::string back(big.size(), '\0');
    asio::async_read(pair.b, asio::buffer(back), [](boost::system::error_code, std::size_t) {});
    pair.io.run();
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(!*result);
    BOOST_TEST((back == big));
}

BOOST_AUTO_TEST_CASE(write_all_reports_a_reset_peer) {
    socket_pair pair;
    pair.b.set_option(asio::socket_base::linger(true, 0));
    pair.b.close();  // linger 0: the peer answers with RST
    std::string chunk(64 << 10, 'x');
    std::optional<boost::system::error_code> result;
    asio::co_spawn(pair.io,
                   [&]() -> asio::awaitable<void> {
                       // The first send may be accepted before the RST arrives; keep sending.
                       for (int i = 0; i < 1000; ++i) {
                           result = co_await write_all(pair.a, asio::buffer(chunk));
                           if (*result) co_return;
                       }
                   },
                   asio::detached);
    pair.io.run();
    BOOST_REQUIRE(result.has_value());
    // Linux reports the RST once as ECONNRESET; a send after that gets EPIPE (without SIGPIPE).
    BOOST_TEST((*result == asio::error::connection_reset || *result == asio::error::broken_pipe));
}

BOOST_AUTO_TEST_SUITE_END()
