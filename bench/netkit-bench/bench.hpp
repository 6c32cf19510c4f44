// What every netkit-bench scenario shares: its options, the counters it fills and the controller
// that bounds the run in time.
#pragma once

#include "conn.hpp"
#include "histogram.hpp"

#include <netkit/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <sys/types.h>

namespace netkit::bench {

using clock = std::chrono::steady_clock;

struct options {
    std::string scenario;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    unsigned connections = 1;        // C: connections (pingpong, stream, connect, hold, udp sockets)
    std::size_t size = 64;           // S: bytes per message (stream: per write)
    double duration = 5.0;           // seconds of measured load
    double setup_limit = 30.0;       // seconds allowed for connecting before the run gives up
    unsigned threads = 1;            // threads running the generator's io_context
    bool json = false;
    // TLS (pingpong, stream, connect, hold): a context when --tls was given
    tls_client tls;
    // chat
    std::string protocol = "header";  // header | line | ws | raw
    unsigned clients = 100;           // N: clients joined (every one receives)
    unsigned senders = 1;             // K: how many of them send
    double rate = 0;                  // messages/s per sender; 0: as fast as the window allows
    unsigned window = 256;            // messages per sender not yet delivered to every receiver
    std::uint16_t sender_port = 0;    // senders join the chat node on this port (0: --port), so
                                      // messages cross from one node to another
    // udp-pingpong
    unsigned udp_timeout_ms = 100;    // a reply later than this counts as lost
    // hold
    std::string hello = "none";       // none | header | line: join a chat server with a name
    pid_t server_pid = 0;             // read this process's RSS before and after opening
    unsigned first_name = 0;          // names are hold<first_name>, hold<first_name + 1>, ... so that
                                      // several generator processes can join one chat
};

struct results {
    std::atomic<std::uint64_t> messages{0};  // round trips, deliveries or connects in the window
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> errors{0};    // failed connects, resets, protocol violations
    std::atomic<std::uint64_t> lost{0};      // UDP replies that never came
    std::atomic<std::uint64_t> missed{0};    // chat messages a receiver never got
    std::atomic<std::uint64_t> sent{0};      // chat messages sent
    std::atomic<std::uint64_t> disconnected{0};  // chat clients the server closed
    std::atomic<unsigned> ready{0};          // connections set up
    std::atomic<unsigned> failed{0};         // connections that could not be set up
    std::atomic<std::uint64_t> resumed{0};   // connect --tls-resume: handshakes that resumed a session
    std::atomic<bool> tls_seen{false};       // the first TLS handshake's cipher is in the note
    std::atomic<bool> recording{false};
    histogram latency;
    double seconds = 0;        // measured window
    double setup_seconds = 0;  // connecting (and joining) before it
    bool setup_incomplete = false;
    bool has_latency = true;
    long rss_before_kib = -1, rss_after_kib = -1;
    std::string note;
};

// Runs `io` on opts.threads threads: waits until `expected` connections are ready (or failed, or
// setup_limit passed), calls start(), records for opts.duration, then stops the io_context.
template <class Start>
void run_bounded(asio::io_context& io, const options& opts, results& r, unsigned expected, Start start);

void run_threads_for(asio::io_context& io, unsigned threads);
long rss_kib(pid_t pid);

// Scenarios: each fills `r` and returns once the run is over.
void pingpong(const options& opts, results& r);
void stream(const options& opts, results& r);
void connect_rate(const options& opts, results& r);
void hold(const options& opts, results& r);
void udp_pingpong(const options& opts, results& r);
void chat(const options& opts, results& r);

void print_table(std::ostream& out, const options& opts, const results& r);
void print_json(std::ostream& out, const options& opts, const results& r);

inline std::uint64_t since_ns(clock::time_point t0) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count());
}

template <class Start>
void run_bounded(asio::io_context& io, const options& opts, results& r, unsigned expected, Start start) {
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io);
        const auto t0 = clock::now();
        const auto give_up = t0 + std::chrono::duration_cast<clock::duration>(
                                      std::chrono::duration<double>(opts.setup_limit));
        // Polled: setup happens once per run and a millisecond of slack does not matter.
        while (r.ready.load() + r.failed.load() < expected && clock::now() < give_up) {
            timer.expires_after(std::chrono::milliseconds(1));
            co_await timer.async_wait(asio::use_awaitable);
        }
        r.setup_incomplete = r.ready.load() < expected;
        r.setup_seconds = std::chrono::duration<double>(clock::now() - t0).count();
        co_await start();
        const auto begin = clock::now();
        r.recording = true;
        timer.expires_after(std::chrono::duration_cast<clock::duration>(
            std::chrono::duration<double>(opts.duration)));
        co_await timer.async_wait(asio::use_awaitable);
        r.recording = false;
        r.seconds = std::chrono::duration<double>(clock::now() - begin).count();
        io.stop();  // abandons the connections' coroutines; the process is about to report and exit
    }, asio::detached);
    run_threads_for(io, opts.threads);
}

}  // namespace netkit::bench
