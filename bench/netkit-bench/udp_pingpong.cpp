// udp-pingpong: each socket sends a numbered datagram and waits for it back; a reply that does not
// come within the timeout is lost, and a late one is recognised by its number and dropped.
#include "bench.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <cstring>
#include <vector>

namespace netkit::bench {

namespace {

using namespace asio::experimental::awaitable_operators;
using asio::as_tuple;
using asio::use_awaitable;

asio::awaitable<void> udp_socket_loop(const options& o, results& r) {
    const auto ex = co_await asio::this_coro::executor;
    const udp::endpoint server(asio::ip::make_address(o.host), o.port);
    udp::socket s(ex);
    boost::system::error_code ec;
    s.open(server.protocol(), ec);
    if (!ec) s.connect(server, ec);
    if (ec) {
        r.failed++;
        r.errors++;
        co_return;
    }
    r.ready++;
    const std::size_t size = std::max<std::size_t>(o.size, sizeof(std::uint64_t));
    std::vector<char> out(size, 'x'), in(size + 1);
    asio::steady_timer timer(ex);
    for (std::uint64_t seq = 1;; ++seq) {
        std::memcpy(out.data(), &seq, sizeof seq);
        const auto t0 = clock::now();
        auto [sec, sent] = co_await s.async_send(asio::buffer(out), as_tuple(use_awaitable));
        if (sec) {
            r.errors++;  // e.g. ECONNREFUSED from an earlier datagram: nobody is listening
            timer.expires_after(std::chrono::milliseconds(10));
            co_await timer.async_wait(as_tuple(use_awaitable));
            continue;
        }
        timer.expires_at(t0 + std::chrono::milliseconds(o.udp_timeout_ms));
        for (;;) {
            auto got = co_await (s.async_receive(asio::buffer(in), as_tuple(use_awaitable)) ||
                                 timer.async_wait(as_tuple(use_awaitable)));
            if (got.index() == 1) {
                if (r.recording.load(std::memory_order_relaxed)) r.lost++;
                break;
            }
            auto [rec, n] = std::get<0>(got);
            if (rec) {
                r.errors++;
                break;
            }
            std::uint64_t echoed = 0;
            if (n >= sizeof echoed) std::memcpy(&echoed, in.data(), sizeof echoed);
            if (echoed != seq) continue;  // a late reply to an earlier datagram
            if (r.recording.load(std::memory_order_relaxed)) {
                r.latency.record(since_ns(t0));
                r.messages.fetch_add(1, std::memory_order_relaxed);
                r.bytes.fetch_add(n, std::memory_order_relaxed);
            }
            break;
        }
    }
}

asio::awaitable<void> no_start() { co_return; }

}  // namespace

void udp_pingpong(const options& o, results& r) {
    asio::io_context io;
    for (unsigned i = 0; i < o.connections; ++i)
        asio::co_spawn(asio::make_strand(io), udp_socket_loop(o, r), asio::detached);
    run_bounded(io, o, r, o.connections, no_start);
}

}  // namespace netkit::bench
