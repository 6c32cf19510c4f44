// UDP echo sizes, and the date service's format and silence.
#include "support/hosted.hpp"

#include <netkit/date/date_service.hpp>
#include <netkit/date/date_text.hpp>
#include <netkit/echo/udp_echo.hpp>

#include <boost/test/unit_test.hpp>

#include <ctime>
#include <regex>

using namespace netkit;

namespace {

// Waits up to 5 s for one datagram.
std::optional<std::string> receive(asio::io_context& io, udp::socket& s) {
    std::string buffer(70000, '\0');
    std::optional<std::string> got;
    udp::endpoint from;
    s.async_receive_from(asio::buffer(buffer), from, [&](boost::system::error_code ec, std::size_t n) {
        if (!ec) got = buffer.substr(0, n);
    });
    io.restart();
    io.run_for(std::chrono::seconds(5));
    if (!got) {
        s.cancel();
        io.restart();
        io.run();
    }
    return got;
}

// Seconds since midnight of a "HH:MM:SS" field.
int seconds_of(const std::string& hms) {
    return std::stoi(hms.substr(0, 2)) * 3600 + std::stoi(hms.substr(3, 2)) * 60 + std::stoi(hms.substr(6, 2));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(udp_services)

BOOST_AUTO_TEST_CASE(echo_sizes_from_empty_to_largest) {
    test::hosted h;
    const auto server = h.host().add_udp({}, udp_echo_handler()).local_endpoint();
    h.start(2);
    asio::io_context io;
    udp::socket s(io, udp::v4());
    s.set_option(asio::socket_base::receive_buffer_size(1 << 20));
    for (std::size_t size : {0u, 1u, 1472u, 65507u}) {
        std::string payload(size, '\0');
        for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 7 + size);
        s.send_to(asio::buffer(payload), server);
        const auto back = receive(io, s);
        BOOST_TEST_REQUIRE(back.has_value(), "no echo for " << size << " bytes");
        BOOST_TEST((*back == payload), "echo differs for " << size << " bytes");
    }
}

BOOST_AUTO_TEST_CASE(date_requests_and_format) {
    BOOST_TEST(is_date_request(std::span<const char>("date", 4)));
    BOOST_TEST(is_date_request(std::span<const char>("date\n", 5)));
    BOOST_TEST(is_date_request(std::span<const char>("date\r\n", 6)));
    BOOST_TEST(!is_date_request(std::span<const char>("Date", 4)));
    BOOST_TEST(!is_date_request(std::span<const char>("date\n\n", 6)));
    BOOST_TEST(!is_date_request(std::span<const char>("", 0)));

    // 2021-03-04 05:06:07 UTC, shown in UTC: the day of month is space-padded like `date`.
    setenv("TZ", "UTC", 1);
    tzset();
    const auto when = std::chrono::system_clock::from_time_t(1614834367);
    BOOST_TEST(format_date(when) == "Thu Mar  4 05:06:07 UTC 2021\n");
    unsetenv("TZ");
    tzset();
}

BOOST_AUTO_TEST_CASE(date_server_answers_date_and_nothing_else) {
    test::hosted h;
    const auto server = h.host().add_udp({}, udp_date_handler()).local_endpoint();
    h.start(2);
    asio::io_context io;
    udp::socket s(io, udp::v4());
    // Requests that must get no reply, then a real one: the first datagram back must be the date,
    // so none of the others was answered (loopback keeps the order).
    for (const std::string junk : {"hello", "dat", "date please", "DATE", ""})
        s.send_to(asio::buffer(junk), server);
    s.send_to(asio::buffer("date\n", 5), server);
    const auto reply = receive(io, s);
    BOOST_TEST_REQUIRE(reply.has_value());
    static const std::regex shape(
        R"(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123][0-9] ([0-2][0-9]:[0-5][0-9]:[0-6][0-9]) \S+ ([0-9]{4})\n$)");
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_match(*reply, m, shape), "bad date line: " << *reply);
    // Parse it back: it is the local time now, give or take a few seconds.
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const int now_secs = local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec;
    const int diff = std::abs(seconds_of(m[3].str()) - now_secs);
    BOOST_TEST((diff < 5 || diff > 86400 - 5), "date is off by " << diff << " s");
    BOOST_TEST(std::stoi(m[4].str()) == local.tm_year + 1900);
    // Nothing else was pending: the next datagram back is again a date line.
    s.send_to(asio::buffer("date", 4), server);
    const auto second = receive(io, s);
    BOOST_TEST_REQUIRE(second.has_value());
    BOOST_TEST(std::regex_match(*second, shape));
}

BOOST_AUTO_TEST_CASE(tcp_date_sends_the_line_and_closes) {
    test::hosted h;
    const auto server = h.host().add_tcp({}, date_session_factory()).local_endpoint();
    h.start(1);
    asio::io_context io;
    tcp::socket s(io);
    s.connect(server);
    std::string line;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(line), ec);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(line.size() > 20u);
    BOOST_TEST(line.back() == '\n');
}

BOOST_AUTO_TEST_SUITE_END()
