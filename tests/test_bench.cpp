// netkit-bench smoke tests: every scenario runs for a fraction of a second against a spawned netkit
// server and must report work done and no errors, so the benchmarks cannot rot. No timing asserts.
#include "support/child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <optional>
#include <string>
#include <vector>

using netkit::test::child_process;

namespace {

const std::string bench_exe = NETKIT_BINARY_DIR "/bench/netkit-bench";

// The number after "name": in netkit-bench's one-line JSON; -1 when absent.
double field(const std::string& json, const std::string& name) {
    const auto at = json.find("\"" + name + "\":");
    if (at == std::string::npos) return -1;
    return std::stod(json.substr(at + name.size() + 3));
}

struct run_result {
    std::string json;
    std::optional<int> status;
};

run_result run_bench(std::vector<std::string> argv) {
    argv.insert(argv.begin(), bench_exe);
    argv.insert(argv.end(), {"--duration", "0.3", "--setup-limit", "10", "--json"});
    child_process bench(argv);
    run_result r;
    r.json = bench.read_all(std::chrono::seconds(30));
    r.status = bench.wait(std::chrono::seconds(10));
    BOOST_TEST_MESSAGE(r.json);
    return r;
}

void expect_clean(const run_result& r, double min_messages = 1) {
    BOOST_TEST(r.status.value_or(-1) == 0);
    BOOST_TEST(field(r.json, "messages") >= min_messages);
    BOOST_TEST(field(r.json, "errors") == 0);
    BOOST_TEST(field(r.json, "failed") == 0);
    BOOST_TEST(field(r.json, "seconds") > 0);
}

struct echo_server {
    child_process server{{NETKIT_EXE, "serve", "echo", "--port", "0", "--threads", "2", "--log-level", "warn"}};
    std::string port = std::to_string(server.wait_listening());
    ~echo_server() {
        server.signal(SIGTERM);
        server.wait();
    }
};

// `netkit serve chat` prints one listening line per protocol; returns the port of `which`.
std::string chat_port(child_process& chat, const std::string& which) {
    std::string header, line;
    while (header.empty() || line.empty()) {
        auto text = chat.read_line(std::chrono::seconds(20));
        if (!text) throw std::runtime_error("netkit serve chat did not print its listening lines");
        if (text->find("(header)") != std::string::npos) header = std::to_string(netkit::test::port_of(*text));
        if (text->find("(line)") != std::string::npos) line = std::to_string(netkit::test::port_of(*text));
    }
    return which == "header" ? header : line;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bench)

BOOST_FIXTURE_TEST_CASE(pingpong_reports_round_trips_and_latency, echo_server) {
    const auto r = run_bench({"pingpong", "--port", port, "--connections", "4", "--size", "64"});
    expect_clean(r);
    BOOST_TEST(field(r.json, "bytes") == field(r.json, "messages") * 64);
    BOOST_TEST(r.json.find("\"p99\":") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(stream_moves_bytes, echo_server) {
    const auto r = run_bench({"stream", "--port", port, "--size", "65536"});
    expect_clean(r);
    BOOST_TEST(field(r.json, "bytes") >= 65536);
}

BOOST_FIXTURE_TEST_CASE(connect_opens_connections, echo_server) {
    expect_clean(run_bench({"connect", "--port", port, "--connections", "2"}));
}

BOOST_FIXTURE_TEST_CASE(hold_keeps_connections_and_reads_server_memory, echo_server) {
    const auto r = run_bench({"hold", "--port", port, "--connections", "50", "--server-pid",
                              std::to_string(server.pid())});
    expect_clean(r, 50);
    BOOST_TEST(field(r.json, "ready") == 50);
    BOOST_TEST(field(r.json, "rss_after_kib") > 0);
}

BOOST_AUTO_TEST_CASE(udp_pingpong_counts_replies) {
    child_process server({NETKIT_EXE, "serve", "echo", "--udp", "--port", "0", "--log-level", "warn"});
    const auto port = std::to_string(server.wait_listening());
    const auto r = run_bench({"udp-pingpong", "--port", port, "--connections", "2", "--udp-timeout-ms", "1000"});
    expect_clean(r);
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(chat_delivers_every_message_over_both_protocols) {
    for (const std::string protocol : {"header", "line"}) {
        child_process chat({NETKIT_EXE, "serve", "chat", "--header-port", "0", "--line-port", "0", "--threads",
                            "2", "--log-level", "warn"});
        const auto port = chat_port(chat, protocol);
        const auto r = run_bench({"chat", "--port", port, "--protocol", protocol, "--clients", "10", "--senders",
                                  "2", "--size", "64"});
        expect_clean(r);
        BOOST_TEST(field(r.json, "missed") == 0);
        BOOST_TEST(field(r.json, "disconnected") == 0);
        BOOST_TEST(field(r.json, "sent") >= 1);
        chat.signal(SIGTERM);
        BOOST_TEST(chat.wait().value_or(-1) == 0);
    }
}

BOOST_AUTO_TEST_CASE(echo_workers_share_one_port_and_stop_on_sigterm) {
    child_process server({NETKIT_EXE, "serve", "echo", "--port", "0", "--workers", "2", "--log-level", "warn"});
    const auto port = std::to_string(server.wait_listening());
    expect_clean(run_bench({"pingpong", "--port", port, "--connections", "8"}));
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2) {
    child_process bench({bench_exe, "pingpong"});
    BOOST_TEST(bench.wait().value_or(-1) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
