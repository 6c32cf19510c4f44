// TCP echo over loopback: large streams, many clients, half-close.
#include "support/hosted.hpp"

#include <netkit/echo/echo_session.hpp>

#include <boost/test/unit_test.hpp>

#include <random>
#include <thread>

using namespace netkit;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(gen());
    return s;
}

struct echo_fixture {
    test::hosted h;
    tcp::endpoint endpoint;
    echo_fixture() {
        endpoint = h.host().add_tcp({}, echo_session_factory()).local_endpoint();
        h.start(2);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(echo)

BOOST_FIXTURE_TEST_CASE(ten_mib_come_back_intact, echo_fixture) {
    const std::string sent = random_bytes(10 * 1024 * 1024, 1);
    asio::io_context io;
    tcp::socket s(io);
    s.connect(endpoint);
    // Send from another thread: the echo comes back while we are still sending.
    std::jthread sender([&] {
        asio::write(s, asio::buffer(sent));
        s.shutdown(tcp::socket::shutdown_send);
    });
    std::string received;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(received), ec);
    sender.join();
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(received.size() == sent.size());
    BOOST_TEST((received == sent));
}

BOOST_FIXTURE_TEST_CASE(half_close_gets_everything_then_eof, echo_fixture) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(endpoint);
    const std::string sent = random_bytes(300000, 2);
    asio::write(s, asio::buffer(sent.data(), 100000));
    asio::write(s, asio::buffer(sent.data() + 100000, 200000));
    s.shutdown(tcp::socket::shutdown_send);  // we are done sending, still reading
    std::string received;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(received), ec);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST((received == sent));
}

BOOST_FIXTURE_TEST_CASE(two_hundred_concurrent_clients, echo_fixture) {
    constexpr int clients = 200;
    constexpr int rounds = 20;
    asio::io_context io;
    int good = 0;
    for (int c = 0; c < clients; ++c) {
        asio::co_spawn(io, [&, c]() -> asio::awaitable<void> {
            tcp::socket s(io);
            co_await s.async_connect(endpoint, asio::use_awaitable);
            for (int r = 0; r < rounds; ++r) {
                const std::string msg = "client " + std::to_string(c) + " round " + std::to_string(r);
                co_await asio::async_write(s, asio::buffer(msg), asio::use_awaitable);
                std::string back(msg.size(), '\0');
                co_await asio::async_read(s, asio::buffer(back), asio::use_awaitable);
                if (back != msg) co_return;
            }
            ++good;
        }, asio::detached);
    }
    io.run_for(std::chrono::seconds(60));
    BOOST_TEST(good == clients);
}

BOOST_AUTO_TEST_SUITE_END()
