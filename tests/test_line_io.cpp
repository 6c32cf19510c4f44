// The line protocols' shared I/O: line_reader (asynchronous and blocking) over the framing
// decoder, and tcp_session::drain_and_close.
#include "support/hosted.hpp"

#include <netkit/line_reader.hpp>
#include <netkit/tcp_session.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <vector>

using namespace netkit;
using namespace std::chrono_literals;

namespace {

// A connected loopback pair: the reader reads `a`, the test writes `b`.
struct socket_pair {
    asio::io_context io;
    tcp::socket a{io}, b{io};
    socket_pair() {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        a.connect(acceptor.local_endpoint());
        acceptor.accept(b);
        b.set_option(tcp::no_delay(true));  // each write goes out as its own segment
    }
    void send(std::string_view text) { asio::write(b, asio::buffer(text)); }
};

struct read_result {
    boost::system::error_code ec;
    std::string line;
};

// Starts one async_read; the result appears in the returned optional once it completes.
std::shared_ptr<std::optional<read_result>> start_read(socket_pair& p, line_reader& reader) {
    auto result = std::make_shared<std::optional<read_result>>();
    asio::co_spawn(
        p.io,
        [&p, &reader, result]() -> asio::awaitable<void> {
            auto [ec, line] = co_await reader.async_read(p.a);
            *result = read_result{ec, std::move(line)};
        },
        asio::detached);
    return result;
}

// Runs the io_context until `done` holds, for at most five seconds.
template <class Pred>
bool run_until(asio::io_context& io, Pred done) {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    io.restart();
    while (!done() && std::chrono::steady_clock::now() < give_up) io.run_one_for(50ms);
    return done();
}

read_result async_line(socket_pair& p, line_reader& reader) {
    auto result = start_read(p, reader);
    BOOST_REQUIRE(run_until(p.io, [&] { return result->has_value(); }));
    return **result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(line_io)

BOOST_AUTO_TEST_CASE(lf_and_crlf_lines_lose_their_terminator) {
    socket_pair p;
    line_reader reader(64);
    p.send("one\ntwo\r\n\r\nwith\rinner\n");
    for (const std::string want : {"one", "two", "", "with\rinner"}) {
        const auto got = async_line(p, reader);
        BOOST_TEST(!got.ec);
        BOOST_TEST(got.line == want);
    }
    // The blocking reader follows the same rules.
    line_reader blocking(64);
    p.send("three\r\nfour\n");
    boost::system::error_code ec;
    BOOST_TEST(blocking.read(p.a, ec) == "three");
    BOOST_TEST(!ec);
    BOOST_TEST(blocking.read(p.a, ec) == "four");
    BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(a_line_split_across_reads_comes_out_whole) {
    socket_pair p;
    line_reader reader(64);
    auto result = start_read(p, reader);
    // Each piece is read on its own (the reader holds it) before the next is sent.
    std::string sent;
    for (const std::string_view piece : {"hel", "lo\r"}) {
        p.send(piece);
        sent += piece;
        BOOST_REQUIRE(run_until(p.io, [&] { return reader.buffered() == sent; }));
        BOOST_TEST(!result->has_value());
    }
    p.send("\nnext");
    BOOST_REQUIRE(run_until(p.io, [&] { return result->has_value(); }));
    BOOST_TEST(!(*result)->ec);
    BOOST_TEST((*result)->line == "hello");
    BOOST_REQUIRE(run_until(p.io, [&] { return reader.buffered() == "next"; }));
}

BOOST_AUTO_TEST_CASE(an_overlong_line_is_message_size_without_waiting_for_its_newline) {
    socket_pair p;
    line_reader reader(8);
    p.send("12345678\r\n");  // the limit counts the text, not the "\r\n"
    auto got = async_line(p, reader);
    BOOST_TEST(!got.ec);
    BOOST_TEST(got.line == "12345678");
    p.send("123456789");  // no newline yet: refused as soon as the ninth byte is in
    got = async_line(p, reader);
    BOOST_TEST((got.ec == asio::error::message_size));
    p.send("\nshort\n");  // the stream stays unusable: no telling where a line starts
    got = async_line(p, reader);
    BOOST_TEST((got.ec == asio::error::message_size));

    line_reader blocking(8);
    socket_pair q;
    q.send("too long a line\n");
    boost::system::error_code ec;
    blocking.read(q.a, ec);
    BOOST_TEST((ec == asio::error::message_size));
}

BOOST_AUTO_TEST_CASE(eof_mid_line_drops_the_bytes_or_gives_the_last_line) {
    {
        socket_pair p;
        line_reader reader(64);
        p.send("whole\npartial");
        p.b.shutdown(tcp::socket::shutdown_send);
        auto got = async_line(p, reader);
        BOOST_TEST(got.line == "whole");
        got = async_line(p, reader);
        BOOST_TEST((got.ec == asio::error::eof));
        BOOST_TEST(got.line.empty());
    }
    {
        socket_pair p;
        line_reader reader(64, line_reader::unterminated::line);
        p.send("whole\nlast\r");
        p.b.shutdown(tcp::socket::shutdown_send);
        auto got = async_line(p, reader);
        BOOST_TEST(got.line == "whole");
        got = async_line(p, reader);
        BOOST_TEST(!got.ec);
        BOOST_TEST(got.line == "last");
        got = async_line(p, reader);
        BOOST_TEST((got.ec == asio::error::eof));
    }
    {
        socket_pair p;
        line_reader blocking(64);
        p.send("partial");
        p.b.shutdown(tcp::socket::shutdown_send);
        boost::system::error_code ec;
        blocking.read(p.a, ec);
        BOOST_TEST((ec == asio::error::eof));
    }
}

BOOST_AUTO_TEST_CASE(bytes_after_a_line_stay_buffered_for_the_caller) {
    socket_pair p;
    line_reader reader(64);
    p.send("PUT x 3\nabcLIST\n");
    boost::system::error_code ec;
    BOOST_TEST(reader.read(p.a, ec) == "PUT x 3");
    // Both lines came in one read (loopback, one write): the payload waits in the reader.
    BOOST_REQUIRE(reader.buffered().starts_with("abc"));
    reader.discard(3);
    BOOST_TEST(reader.read(p.a, ec) == "LIST");
    BOOST_TEST(!ec);
    BOOST_TEST(reader.buffered().empty());
}

// The decoder remembers how far it has searched for a newline; discard() must move that mark with
// the bytes it drops, or a newline just after them is missed.
BOOST_AUTO_TEST_CASE(discarding_bytes_keeps_the_newline_search_in_step) {
    framing::line_decoder d(64);
    d.feed("abcdef");
    BOOST_TEST(!d.next().has_value());  // searched all six bytes
    d.discard(2);
    BOOST_TEST(d.unread() == "cdef");
    d.feed("\nrest");
    const auto line = d.next();
    BOOST_REQUIRE(line.has_value());
    BOOST_TEST(*line == "cdef");
    BOOST_TEST(d.unread() == "rest");
    d.discard(100);  // more than there is: all of it
    BOOST_TEST(d.buffered() == 0U);
}

namespace {

// Answers "bye" to whatever arrives first, leaving it unread, then ends the connection the way
// the test asks; `ended` is set when run() returns.
class closing_session : public tcp_session {
public:
    closing_session(stream socket, bool drain, std::chrono::milliseconds deadline,
                    std::promise<std::chrono::steady_clock::time_point>& ended)
        : tcp_session(std::move(socket)), drain_(drain), deadline_(deadline), ended_(ended) {}

    asio::awaitable<void> run() override {
        co_await stream_.async_wait_readable(asio::as_tuple(asio::use_awaitable));
        co_await asio::async_write(stream_, asio::buffer("bye\n", 4), asio::as_tuple(asio::use_awaitable));
        if (drain_) {
            co_await drain_and_close(deadline_);
        } else {
            stream_.close();
        }
        ended_.set_value(std::chrono::steady_clock::now());
    }

private:
    bool drain_;
    std::chrono::milliseconds deadline_;
    std::promise<std::chrono::steady_clock::time_point>& ended_;
};

struct closing_server {
    std::promise<std::chrono::steady_clock::time_point> ended;  // outlives the session
    test::hosted h;
    tcp::endpoint endpoint;
    closing_server(bool drain, std::chrono::milliseconds deadline) {
        auto& server = h.host().add_tcp({}, [this, drain, deadline](stream s) {
            return std::make_shared<closing_session>(std::move(s), drain, deadline, ended);
        });
        endpoint = server.local_endpoint();
        h.start(1);
    }
};

// Reads everything until the connection ends; returns how it ended.
boost::system::error_code read_to_end(tcp::socket& s, std::string& got) {
    boost::system::error_code ec;
    char chunk[256];
    for (;;) {
        const std::size_t n = s.read_some(asio::buffer(chunk), ec);
        if (ec) return ec;
        got.append(chunk, n);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(drain_and_close_ends_with_fin_although_input_was_unread) {
    for (const bool drain : {true, false}) {
        closing_server server(drain, 5000ms);
        asio::io_context io;
        tcp::socket s(io);
        s.connect(server.endpoint);
        asio::write(s, asio::buffer(std::string("request the server never reads\n")));
        std::string got;
        const auto ec = read_to_end(s, got);
        BOOST_TEST(got == "bye\n");
        if (drain) {
            BOOST_TEST((ec == asio::error::eof));
            s.close();  // the drain sees our end and closes long before its deadline
            auto ended = server.ended.get_future();
            BOOST_TEST((ended.wait_for(4s) == std::future_status::ready));
        } else {
            // The control: a plain close with input unread resets the connection.
            BOOST_TEST((ec == asio::error::connection_reset));
        }
    }
}

BOOST_AUTO_TEST_CASE(drain_and_close_gives_up_at_its_deadline_or_after_a_mebibyte) {
    {
        closing_server server(true, 300ms);
        asio::io_context io;
        tcp::socket s(io);
        s.connect(server.endpoint);
        asio::write(s, asio::buffer(std::string("x")));
        std::string got;
        BOOST_TEST((read_to_end(s, got) == asio::error::eof));  // FIN at once; we stay open
        const auto eof_at = std::chrono::steady_clock::now();
        auto ended = server.ended.get_future();
        BOOST_REQUIRE((ended.wait_for(5s) == std::future_status::ready));
        const auto waited = ended.get() - eof_at;
        BOOST_TEST((waited < 3s));
    }
    {
        // A peer that keeps sending: the session stops reading after 1 MiB, long before 30 s.
        closing_server server(true, 30000ms);
        asio::io_context io;
        tcp::socket s(io);
        s.connect(server.endpoint);
        std::jthread flood([&s] {
            const std::string chunk(64 * 1024, 'f');
            boost::system::error_code ec;
            for (int i = 0; i < 64 && !ec; ++i) asio::write(s, asio::buffer(chunk), ec);  // at most 4 MiB
        });
        auto ended = server.ended.get_future();
        BOOST_TEST((ended.wait_for(10s) == std::future_status::ready));
        flood.join();
    }
}

BOOST_AUTO_TEST_SUITE_END()
