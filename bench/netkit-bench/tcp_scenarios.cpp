// TCP scenarios against an echo server: pingpong, stream, connect and hold.
#include "bench.hpp"

#include <netkit/write_all.hpp>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace netkit::bench {

namespace {

using asio::as_tuple;
using asio::use_awaitable;

asio::awaitable<void> no_start() { co_return; }

tcp::endpoint target(const options& o) { return {asio::ip::make_address(o.host), o.port}; }

// Connects (and with --tls, handshakes); counts a failure. The first TLS handshake's cipher goes in
// the report's note.
asio::awaitable<bool> open(conn& s, const options& o, results& r) {
    if (auto ec = co_await s.open(target(o), o.tls)) {
        r.failed++;
        r.errors++;
        co_return false;
    }
    if (s.is_tls() && !r.tls_seen.exchange(true)) r.note = s.cipher() + "; ";
    co_return true;
}

// Sends all of `data`: plain connections through write_all (a direct send first, as the echo
// benchmarks always did), TLS ones through Asio's composed write.
asio::awaitable<boost::system::error_code> send_all(conn& s, asio::const_buffer data) {
    if (!s.is_tls()) co_return co_await write_all(s.socket(), data);
    auto [ec, n] = co_await asio::async_write(s, data, as_tuple(use_awaitable));
    co_return ec;
}

// Each connection sends S bytes, waits for all of them back, and again.
asio::awaitable<void> pingpong_connection(const options& o, results& r) {
    conn s(co_await asio::this_coro::executor);
    if (!co_await open(s, o, r)) co_return;
    r.ready++;
    std::vector<char> out(o.size, 'x'), in(o.size);
    for (;;) {
        const auto t0 = clock::now();
        if (co_await send_all(s, asio::buffer(out))) break;
        auto [rec, n] = co_await asio::async_read(s, asio::buffer(in), as_tuple(use_awaitable));
        if (rec) break;
        if (r.recording.load(std::memory_order_relaxed)) {
            r.latency.record(since_ns(t0));
            r.messages.fetch_add(1, std::memory_order_relaxed);
            r.bytes.fetch_add(n, std::memory_order_relaxed);
        }
    }
    r.errors++;  // the server closed or reset a connection in the middle of the run
}

asio::awaitable<void> stream_writer(conn& s, const options& o) {
    std::vector<char> out(o.size, 'x');
    for (;;) {
        auto [ec, n] = co_await asio::async_write(s, asio::buffer(out), as_tuple(use_awaitable));
        if (ec) co_return;
    }
}

// One writer and one reader on the same socket: bytes go out and come back as fast as they can.
asio::awaitable<void> stream_connection(const options& o, results& r) {
    auto s = std::make_shared<conn>(co_await asio::this_coro::executor);
    if (!co_await open(*s, o, r)) co_return;
    r.ready++;
    asio::co_spawn(s->get_executor(), [s, &o]() { return stream_writer(*s, o); }, asio::detached);
    std::vector<char> in(std::max<std::size_t>(o.size, 64 * 1024));
    for (;;) {
        auto [ec, n] = co_await s->async_read_some(asio::buffer(in), as_tuple(use_awaitable));
        if (ec) break;
        if (r.recording.load(std::memory_order_relaxed)) r.bytes.fetch_add(n, std::memory_order_relaxed);
    }
    r.errors++;
}

// One byte to the echo server and back: over TLS this also makes the client read the session
// tickets that TLS 1.3 sends after the handshake.
asio::awaitable<bool> echo_byte(conn& s) {
    char byte = 'x';
    auto [wec, w] = co_await asio::async_write(s, asio::buffer(&byte, 1), as_tuple(use_awaitable));
    if (wec) co_return false;
    auto [rec, n] = co_await asio::async_read(s, asio::buffer(&byte, 1), as_tuple(use_awaitable));
    co_return !rec;
}

// Opens and closes connections in a loop. With --tls each connection also handshakes and echoes
// one byte (so it is whole, and its tickets are read); with --tls-resume each handshake offers the
// session the previous connection got (servers may accept a ticket only once, as stunnel's
// stateful TLS 1.3 tickets). The close resets (SO_LINGER 0) so the generator does not run out of
// ephemeral ports to TIME_WAIT.
asio::awaitable<void> connect_loop(const options& o, results& r) {
    const auto ex = co_await asio::this_coro::executor;
    SSL_SESSION* session = nullptr;
    r.ready++;
    for (;;) {
        conn s(ex);
        const auto t0 = clock::now();
        if (auto ec = co_await s.open(target(o), o.tls, session)) {
            r.errors++;
            continue;
        }
        if (s.is_tls()) {
            if (!co_await echo_byte(s)) {
                r.errors++;
                continue;
            }
            if (o.tls.resume) {
                if (session) SSL_SESSION_free(session);
                session = s.take_session();
            }
        }
        if (r.recording.load(std::memory_order_relaxed)) {
            r.latency.record(since_ns(t0));
            r.messages.fetch_add(1, std::memory_order_relaxed);
            if (s.resumed()) r.resumed.fetch_add(1, std::memory_order_relaxed);
        }
        boost::system::error_code ec;
        s.socket().set_option(asio::socket_base::linger(true, 0), ec);
        s.socket().close(ec);
    }
}

std::string hello_for(const options& o, const std::string& name) {
    if (o.hello == "line") return name + "\n";
    if (o.hello == "header") {
        std::string h = std::to_string(name.size());
        h.resize(10, ' ');
        return h + name;
    }
    return {};
}

// Every held connection of one opener runs on the opener's strand and shares one buffer for what
// it reads and drops. Sharing is only safe because each one waits for data first and then reads
// synchronously: an outstanding async_read_some may fill its buffer before its handler runs.
using sink = std::shared_ptr<std::vector<char>>;

// Waits for data and reads it into the shared buffer; empty at the end of the stream.
asio::awaitable<std::string_view> read_into(tcp::socket& s, std::vector<char>& buffer) {
    for (;;) {
        auto [wait_ec] = co_await s.async_wait(tcp::socket::wait_read, as_tuple(use_awaitable));
        if (wait_ec) co_return std::string_view();
        boost::system::error_code ec;
        const std::size_t n = s.read_some(asio::buffer(buffer), ec);
        if (ec == asio::error::would_block) continue;
        if (ec || n == 0) co_return std::string_view();
        co_return std::string_view(buffer.data(), n);
    }
}

// One held connection. A chat client counts as held only once the server has admitted it, i.e.
// it has seen its own join notice (both protocols send "NAME joined the chat" to the newcomer):
// a finished connect() only means the kernel queued the connection. Afterwards it reads and drops
// whatever comes (later joins), so the server never sees a slow consumer.
asio::awaitable<void> hold_connection(std::shared_ptr<conn> c, const options& o, results& r,
                                      std::string name, sink buffer) {
    if (c->is_tls()) {
        // Decrypted bytes cannot wait in the socket: each TLS connection reads into its own buffer.
        r.ready++;
        std::array<char, 256> drop;
        for (;;) {
            auto [ec, n] = co_await c->async_read_some(asio::buffer(drop), as_tuple(use_awaitable));
            if (ec) co_return;
        }
    }
    tcp::socket* s = &c->socket();
    boost::system::error_code ec;
    s->non_blocking(true, ec);
    if (o.hello != "none") {
        const std::string marker = name + " joined the chat";
        std::string seen;
        while (seen.find(marker) == std::string::npos) {
            const auto bytes = co_await read_into(*s, *buffer);
            if (bytes.empty() || seen.size() > 64 * 1024) {  // closed, or talking about something else
                r.failed++;
                r.errors++;
                co_return;
            }
            seen += bytes;
        }
    }
    r.ready++;
    while (!(co_await read_into(*s, *buffer)).empty()) {
    }
}

// A few openers each open their share one after another, so the listen backlog never overflows.
asio::awaitable<void> hold_opener(const options& o, results& r, unsigned first, unsigned step) {
    const auto ex = co_await asio::this_coro::executor;
    auto buffer = std::make_shared<std::vector<char>>(64 * 1024);
    for (unsigned i = first; i < o.connections; i += step) {
        auto s = std::make_shared<conn>(ex);
        if (!co_await open(*s, o, r)) continue;
        const std::string name = "hold" + std::to_string(o.first_name + i);
        const std::string hello = hello_for(o, name);
        if (!hello.empty() && s->is_tls()) {
            r.failed++;  // refused by main(): a TLS chat hold is not implemented
            continue;
        }
        if (!hello.empty()) {
            auto [ec, n] = co_await asio::async_write(s->socket(), asio::buffer(hello), as_tuple(use_awaitable));
            if (ec) {
                r.failed++;
                continue;
            }
        }
        asio::co_spawn(ex, hold_connection(s, o, r, name, buffer), asio::detached);
    }
}

// Open descriptors of a process (its sockets, mostly); -1 when it cannot be read.
long open_files(pid_t pid) {
    std::error_code ec;
    long n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end; it.increment(ec))
        ++n;
    return ec ? -1 : n;
}

}  // namespace

void pingpong(const options& o, results& r) {
    asio::io_context io;
    for (unsigned i = 0; i < o.connections; ++i)
        asio::co_spawn(asio::make_strand(io), pingpong_connection(o, r), asio::detached);
    run_bounded(io, o, r, o.connections, no_start);
}

void stream(const options& o, results& r) {
    r.has_latency = false;
    asio::io_context io;
    for (unsigned i = 0; i < o.connections; ++i)
        asio::co_spawn(asio::make_strand(io), stream_connection(o, r), asio::detached);
    run_bounded(io, o, r, o.connections, no_start);
    r.messages = r.bytes / o.size;
}

void connect_rate(const options& o, results& r) {
    asio::io_context io;
    for (unsigned i = 0; i < o.connections; ++i)
        asio::co_spawn(asio::make_strand(io), connect_loop(o, r), asio::detached);
    run_bounded(io, o, r, o.connections, no_start);
}

void hold(const options& o, results& r) {
    r.has_latency = false;
    long files_before = -1;
    if (o.server_pid) {
        r.rss_before_kib = rss_kib(o.server_pid);
        files_before = open_files(o.server_pid);
    }
    asio::io_context io;
    const unsigned openers = std::min(o.connections, 64u);
    for (unsigned i = 0; i < openers; ++i)
        asio::co_spawn(asio::make_strand(io), hold_opener(o, r, i, openers), asio::detached);
    run_bounded(io, o, r, o.connections, [&]() -> asio::awaitable<void> {
        if (!o.server_pid) co_return;
        // An echo connection is ready once connected, which the server may not have accepted yet:
        // wait until the server holds a descriptor for each (within the setup limit), then give
        // it a moment to settle before reading its memory.
        asio::steady_timer timer(io);
        const auto give_up = clock::now() + std::chrono::duration_cast<clock::duration>(
                                                std::chrono::duration<double>(o.setup_limit));
        while (files_before >= 0 && open_files(o.server_pid) < files_before + long(r.ready.load()) &&
               clock::now() < give_up) {
            timer.expires_after(std::chrono::milliseconds(10));
            co_await timer.async_wait(use_awaitable);
        }
        timer.expires_after(std::chrono::milliseconds(300));
        co_await timer.async_wait(use_awaitable);
        r.rss_after_kib = rss_kib(o.server_pid);
    });
    r.messages = r.ready.load();
    r.note = "connections held idle";
}

}  // namespace netkit::bench
