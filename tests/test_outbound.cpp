// The outbound pipeline on its own, over a loopback socket pair: order, congestion, seal and
// drain, the drain deadline, the hard cap, a stalled reader and a reset peer.
#include "support/chat_peer.hpp"

#include <netkit/outbound.hpp>
#include <netkit/tcp_session.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace netkit;
using namespace std::chrono_literals;
using peer = netkit::test::chat_peer;

namespace {

// The smallest session owning an outbound: it only writes.
struct writer_session final : tcp_session {
    writer_session(tcp::socket socket, outbound_options options)
        : tcp_session(std::move(socket)), out(*this, stream_, options, [this](outbound::drop why) { dropped.push_back(why); }) {}
    asio::awaitable<void> run() override { co_return; }

    outbound out;
    std::vector<outbound::drop> dropped;  // strand only: read once the io_context has stopped
};

shared_bytes bytes(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

// A session on a loopback connection whose other end is `client`; the io_context runs only when
// the test says (run()) or all along (start()).
struct socket_pair {
    explicit socket_pair(outbound_options options = {}, int client_receive_buffer = 0) {
        tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
        client = std::make_unique<peer>(acceptor.local_endpoint().port(), client_receive_buffer);
        session = std::make_shared<writer_session>(acceptor.accept(asio::make_strand(io)), options);
    }
    ~socket_pair() { stop(); }
    void start() {
        runner = std::jthread([this] {
            auto work = asio::make_work_guard(io);
            io.run();
        });
    }
    void stop() {
        if (!runner.joinable()) return;
        io.stop();
        runner.join();
    }
    // Returns once the handlers already posted to the session's strand have run.
    void settle() {
        std::promise<void> done;
        asio::post(session->get_executor(), [&done] { done.set_value(); });
        done.get_future().wait();
    }
    // Runs drain(timeout) on the session's strand; the future holds its answer.
    std::future<bool> drain(std::chrono::milliseconds timeout) {
        auto done = std::make_shared<std::promise<bool>>();
        auto answer = done->get_future();
        asio::co_spawn(session->get_executor(), session->out.drain(timeout),
                       [done, keep = session](std::exception_ptr e, bool in_time) {
                           if (e) done->set_exception(e);
                           else done->set_value(in_time);
                       });
        return answer;
    }

    asio::io_context io;
    std::unique_ptr<peer> client;
    std::shared_ptr<writer_session> session;
    std::jthread runner;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(outbound)

BOOST_AUTO_TEST_CASE(keeps_the_order_of_many_pushes) {
    socket_pair s;
    s.start();
    std::string expected;
    for (int i = 0; i < 2000; ++i) {
        std::string piece = std::to_string(i) + ",";
        expected += piece;
        BOOST_TEST_REQUIRE(!s.session->out.push(bytes(std::move(piece))));
    }
    BOOST_TEST(s.client->read_exactly(expected.size()).value_or("") == expected);
}

BOOST_AUTO_TEST_CASE(reports_congestion_and_wakes_the_waiters_once_sent) {
    outbound_options o;
    o.high_water = 100;
    socket_pair s(o);
    auto& out = s.session->out;
    BOOST_TEST(!out.push(bytes(std::string(60, 'a'))));
    std::atomic<int> woken = 0;
    out.when_drained([&] { ++woken; });
    BOOST_TEST(woken == 1);  // not congested: at once
    BOOST_TEST(out.push(bytes(std::string(60, 'b'))));  // 120 queued: above the mark
    BOOST_TEST(out.congested());
    out.when_drained([&] { ++woken; });
    BOOST_TEST(woken == 1);
    s.start();  // the writer runs: both go out in one send, and the waiter is woken
    BOOST_TEST(s.client->read_exactly(120).value_or("") == std::string(60, 'a') + std::string(60, 'b'));
    s.stop();
    BOOST_TEST(woken == 2);
    BOOST_TEST(!out.congested());
    BOOST_TEST(out.pending_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(seal_sends_what_is_queued_then_closes) {
    socket_pair s;
    auto& out = s.session->out;
    out.push(bytes("bye"));
    asio::post(s.session->get_executor(), [&out] { out.seal(); });
    s.start();
    BOOST_TEST(s.client->read_exactly(3).value_or("") == "bye");
    BOOST_TEST(s.client->closed_by_server());  // the writer closed it once "bye" was out
    BOOST_TEST(!out.push(bytes("late")));
    BOOST_TEST(s.drain(1s).get());  // nothing left: in time, at once
    BOOST_TEST(s.client->pending().empty());
}

BOOST_AUTO_TEST_CASE(drain_waits_for_a_slow_reader_that_reads) {
    outbound_options o;
    o.limit = 8 << 20;
    socket_pair s(o, 4096);
    const std::string big(2 << 20, 'x');  // more than the socket buffers hold: the rest waits
    s.session->out.push(bytes(big));
    s.start();
    auto drained = s.drain(10s);
    BOOST_TEST(s.client->read_exactly(big.size(), 10s).has_value());
    BOOST_TEST(drained.get());
    BOOST_TEST(s.client->closed_by_server());
}

BOOST_AUTO_TEST_CASE(drain_closes_when_the_peer_does_not_read_in_time) {
    outbound_options o;
    o.limit = 64 << 20;
    o.stall_timeout = 60s;  // this test is about the drain deadline, not the stall
    socket_pair s(o, 4096);
    s.session->out.push(bytes(std::string(16 << 20, 'x')));  // far more than the socket buffers
    s.start();
    const auto before = std::chrono::steady_clock::now();
    BOOST_TEST(!s.drain(200ms).get());
    BOOST_TEST((std::chrono::steady_clock::now() - before < 5s));
    BOOST_TEST(s.client->closed_by_server(10s));  // what the kernel holds, then the end
    BOOST_TEST(s.client->total_received() < (16u << 20));
}

BOOST_AUTO_TEST_CASE(over_the_limit_the_connection_is_closed_at_once) {
    outbound_options o;
    o.limit = 1000;
    o.high_water = 1000;
    socket_pair s(o);
    auto& out = s.session->out;
    out.push(bytes(std::string(600, 'a')));
    out.push(bytes(std::string(600, 'b')));  // 1200 > 1000: dropped before anything was sent
    BOOST_TEST(!out.push(bytes("c")));
    s.start();
    BOOST_TEST(s.client->closed_by_server());
    BOOST_TEST(s.client->total_received() == 0u);
    s.settle();
    s.stop();
    BOOST_TEST_REQUIRE(s.session->dropped.size() == 1u);
    BOOST_TEST((s.session->dropped[0] == netkit::outbound::drop::overflow));
}

BOOST_AUTO_TEST_CASE(a_congested_peer_that_stopped_reading_is_dropped_after_the_stall_timeout) {
    outbound_options o;
    o.limit = 64 << 20;
    o.high_water = 1 << 20;
    o.stall_timeout = 300ms;
    socket_pair s(o, 4096);
    s.start();
    const auto before = std::chrono::steady_clock::now();
    BOOST_TEST(s.session->out.push(bytes(std::string(16 << 20, 'x'))));  // congested at once
    // The client reads nothing: the waiter is woken by the drop, not by progress.
    std::promise<void> woken;
    s.session->out.when_drained([&woken] { woken.set_value(); });
    BOOST_TEST_REQUIRE((woken.get_future().wait_for(10s) == std::future_status::ready));
    BOOST_TEST((std::chrono::steady_clock::now() - before >= 300ms));
    BOOST_TEST(s.session->out.closed());
    s.stop();
    BOOST_TEST_REQUIRE(s.session->dropped.size() == 1u);
    BOOST_TEST((s.session->dropped[0] == netkit::outbound::drop::stalled));
}

BOOST_AUTO_TEST_CASE(a_reset_peer_ends_it_without_harm) {
    socket_pair s;
    s.start();
    BOOST_TEST(!s.session->out.push(bytes("first")));
    BOOST_TEST(s.client->read_exactly(5).value_or("") == "first");
    // The peer goes away with a reset (linger 0), as a crashed client does.
    s.client->socket().set_option(asio::socket_base::linger(true, 0));
    s.client->socket().close();
    // Writes now fail: the outbound closes, which wakes whoever waits for it, and takes no more.
    std::promise<void> woken;
    BOOST_TEST(s.session->out.push(bytes(std::string(512 << 10, 'x'))));  // congested: a waiter waits
    s.session->out.when_drained([&woken] { woken.set_value(); });
    BOOST_TEST_REQUIRE((woken.get_future().wait_for(5s) == std::future_status::ready));
    BOOST_TEST(s.session->out.closed());
    BOOST_TEST(!s.session->out.push(bytes("more")));
    BOOST_TEST(s.drain(1s).get());
}

BOOST_AUTO_TEST_SUITE_END()
