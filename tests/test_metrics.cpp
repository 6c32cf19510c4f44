// Metrics and health: the registry and its text rendering, the HTTP unit's limits, and a running
// `netkit serve chat --metrics-port 0` scraped twice while a client chats, every line checked by
// a small Prometheus text-format checker.
#include "support/child_process.hpp"
#include "support/redis_server.hpp"
#include "support/temp_dir.hpp"

#include <netkit/http/server.hpp>
#include <netkit/metrics/registry.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <dirent.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

using namespace netkit;
using netkit::test::child_process;
using namespace std::chrono_literals;

namespace {

const std::string exe = NETKIT_EXE;

// What a Prometheus server would accept of the text exposition format (0.0.4): every line a
// "# HELP name text", a "# TYPE name type" given once and before the name's samples, or a sample
// "name{label="value",...} number" of a declared name. Returns the samples ("name{labels}" ->
// value) and fills `types`; throws std::runtime_error naming the first bad line.
std::map<std::string, double> parse_exposition(const std::string& text, std::map<std::string, std::string>& types) {
    static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
    static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*")*)?\})? )"
        R"(([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|NaN|[-+]Inf)( -?[0-9]+)?)");
    if (text.empty() || text.back() != '\n') throw std::runtime_error("the exposition must end with a newline");
    std::map<std::string, double> samples;
    std::set<std::string> sampled;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        const auto bad = [&](const std::string& why) { return std::runtime_error("line " + std::to_string(n) + " (" + line + "): " + why); };
        std::smatch m;
        if (std::regex_match(line, m, help)) continue;
        if (std::regex_match(line, m, type)) {
            if (types.count(m[1]) || sampled.count(m[1])) throw bad("TYPE repeated or after samples");
            types[m[1]] = m[2];
            continue;
        }
        if (!line.empty() && line[0] == '#') throw bad("a comment other than HELP or TYPE");
        if (!std::regex_match(line, m, sample)) throw bad("not a sample line");
        const std::string name = m[1];
        if (!types.count(name)) throw bad("sample of a metric without a TYPE");
        if (types[name] == "counter" && !name.ends_with("_total")) throw bad("counter not ending in _total");
        const std::string series = name + m[2].str();
        if (samples.count(series)) throw bad("series repeated");
        samples[series] = std::stod(m[7]);
        sampled.insert(name);
    }
    return samples;
}

std::map<std::string, double> parse_exposition(const std::string& text) {
    std::map<std::string, std::string> types;
    return parse_exposition(text, types);
}

// Sends `request` on a new loopback connection and returns every byte received until the server
// closes (at most `timeout`; "" when nothing came).
std::string http_exchange(unsigned short port, const std::string& request, std::chrono::milliseconds timeout = 5s) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    if (!request.empty()) asio::write(s, asio::buffer(request));
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{s.native_handle(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        char buffer[65536];
        const auto n = ::recv(s.native_handle(), buffer, sizeof buffer, 0);
        if (n <= 0) break;
        got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
}

std::string get(unsigned short port, const std::string& path) {
    return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

unsigned status_of(const std::string& response) {
    if (!response.starts_with("HTTP/1.1 ") || response.size() < 12) return 0;
    return static_cast<unsigned>(std::stoul(response.substr(9, 3)));
}

std::string body_of(const std::string& response) {
    const auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : response.substr(end + 4);
}

// A netkit server started with `args`: its ports by the label of their listening line ("" when
// unlabelled), read until `listeners` lines have been seen.
struct served {
    child_process child;
    std::map<std::string, unsigned short> ports;
    served(const std::vector<std::string>& args, int listeners) : child(args) {
        static const std::regex listening(R"(listening on \S+:(\d+)(?: \((\w+)\))?)");
        for (int i = 0; i < listeners; ++i) {
            const auto line = child.read_line();
            BOOST_REQUIRE(line);
            std::smatch m;
            BOOST_REQUIRE_MESSAGE(std::regex_match(*line, m, listening), *line);
            ports[m[2]] = static_cast<unsigned short>(std::stoul(m[1]));
        }
    }
    ~served() {
        child.signal(SIGTERM);
        child.wait();
    }
};

// The TCP ports process `pid` listens on: its socket descriptors matched against the kernel's
// table of listening sockets.
std::set<unsigned> listening_ports(pid_t pid) {
    std::set<std::string> inodes;
    const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
    if (DIR* d = ::opendir(fd_dir.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            char target[256];
            const auto n = ::readlink((fd_dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
            if (n <= 0) continue;
            const std::string t(target, static_cast<std::size_t>(n));
            if (t.starts_with("socket:[")) inodes.insert(t.substr(8, t.size() - 9));
        }
        ::closedir(d);
    }
    std::set<unsigned> ports;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the column titles
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            words >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            if (state == "0A" && inodes.count(inode))  // 0A: LISTEN
                ports.insert(static_cast<unsigned>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
        }
    }
    return ports;
}

// The exit status and output (standard error too) of `netkit ARGS...`.
std::pair<int, std::string> netkit_status(std::vector<std::string> args) {
    args.insert(args.begin(), {"/bin/sh", "-c", "exec \"$@\" 2>&1", "sh", exe});
    child_process c(args);
    const auto out = c.read_all(30s);
    return {c.wait(30s).value_or(-1), out};
}

// Scrapes `port` until `series` has the value `wanted` (true) or 10 s have passed (false).
bool scrape_until(unsigned short port, const std::string& series, double wanted) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto samples = parse_exposition(body_of(get(port, "/metrics")));
        if (auto it = samples.find(series); it != samples.end() && it->second == wanted) return true;
        std::this_thread::sleep_for(20ms);  // polling a metric: there is no other signal to wait on
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(registry_renders_the_text_exposition_format) {
    netkit::metrics::registry r;
    auto& line = r.add_counter("netkit_x_total", "Things, with a \\ and a\nnewline.", {{"listener", "line"}});
    auto& header = r.add_counter("netkit_x_total", "ignored: the first help wins", {{"listener", "he\"ad\\er\n"}});
    auto& open = r.add_gauge("netkit_open", "Open now.");
    line.add(3);
    header.add();
    open.add(5);
    open.sub(2);
    BOOST_TEST(r.render() ==
               "# HELP netkit_x_total Things, with a \\\\ and a\\nnewline.\n"
               "# TYPE netkit_x_total counter\n"
               "netkit_x_total{listener=\"line\"} 3\n"
               "netkit_x_total{listener=\"he\\\"ad\\\\er\\n\"} 1\n"
               "# HELP netkit_open Open now.\n"
               "# TYPE netkit_open gauge\n"
               "netkit_open 3\n");
    BOOST_CHECK_NO_THROW(parse_exposition(r.render()));
}

BOOST_AUTO_TEST_CASE(registry_refuses_bad_names_types_and_duplicates) {
    netkit::metrics::registry r;
    r.add_counter("netkit_a_total", "a", {{"k", "v"}});
    BOOST_CHECK_THROW(r.add_counter("netkit_a", "no _total"), std::invalid_argument);
    BOOST_CHECK_THROW(r.add_counter("9netkit_total", "starts with a digit"), std::invalid_argument);
    BOOST_CHECK_THROW(r.add_gauge("netkit-dash", "dash"), std::invalid_argument);
    BOOST_CHECK_THROW(r.add_gauge("netkit_g", "bad label", {{"le-x", "v"}}), std::invalid_argument);
    BOOST_CHECK_THROW(r.add_gauge("netkit_g", "reserved label", {{"__x", "v"}}), std::invalid_argument);
    BOOST_CHECK_THROW(r.add_counter("netkit_a_total", "twice", {{"k", "v"}}), std::invalid_argument);
    BOOST_CHECK_THROW(r.add_gauge("netkit_a_total", "other type", {{"k", "w"}}), std::invalid_argument);
    BOOST_CHECK_NO_THROW(r.add_counter("netkit_a_total", "other labels", {{"k", "w"}}));
}

BOOST_AUTO_TEST_CASE(counter_adds_from_many_threads_without_losing_any) {
    netkit::metrics::registry r;
    auto& c = r.add_counter("netkit_n_total", "n");
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&c] {
                for (int i = 0; i < 100000; ++i) c.add();
            });
    }
    BOOST_TEST(c.value() == 800000u);
    auto& g = r.add_gauge("netkit_g", "g");
    { netkit::metrics::gauge_hold held(&g); BOOST_TEST(g.value() == 1); }
    BOOST_TEST(g.value() == 0);
}

BOOST_AUTO_TEST_CASE(checker_refuses_malformed_lines) {
    // The checker must be able to fail, or the scrape tests below prove nothing.
    BOOST_CHECK_THROW(parse_exposition("netkit_a_total 1\n"), std::runtime_error);  // no TYPE
    BOOST_CHECK_THROW(parse_exposition("# TYPE a counter\na 1\n"), std::runtime_error);  // no _total
    BOOST_CHECK_THROW(parse_exposition("# TYPE a gauge\na{b=\"c} 1\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_exposition("# TYPE a gauge\na one\n"), std::runtime_error);
    BOOST_CHECK_THROW(parse_exposition("# TYPE a gauge\na 1"), std::runtime_error);  // no final newline
    BOOST_CHECK_THROW(parse_exposition("# comment\n"), std::runtime_error);
    BOOST_TEST(parse_exposition("# TYPE a gauge\na{b=\"c\\\"\",d=\"\"} -1.5e3\n").at("a{b=\"c\\\"\",d=\"\"}") == -1500);
}

BOOST_AUTO_TEST_CASE(http_unit_keeps_alive_then_closes_an_idle_connection) {
    std::ostringstream log_text;
    logger log(log_level::warn, &log_text);
    server_host host(log);
    auto routes = std::make_shared<http::router>();
    routes->get("/a", [] { return http::response{200, "text/plain", "A"}; });
    const auto port = host.add_tcp({}, http::session_factory(routes, {.max_header_bytes = 8192, .idle_timeout = 300ms}))
                          .local_endpoint()
                          .port();
    std::jthread runner([&] {
        std::ostringstream announce;
        host.run(2, 1000ms, announce);
    });
    // Two requests on one connection (the first keeps it alive), then silence: closed by the
    // server after idle_timeout, well before the client's own 5 s deadline.
    const auto start = std::chrono::steady_clock::now();
    const auto got = http_exchange(port, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto took = std::chrono::steady_clock::now() - start;
    host.shutdown();
    runner.join();
    BOOST_TEST(got.find("HTTP/1.1 200 OK") == 0u);
    BOOST_TEST(got.find("HTTP/1.1 200 OK", 10) != std::string::npos);
    BOOST_TEST((took >= 250ms && took < 4s));
}

BOOST_AUTO_TEST_CASE(chat_counters_grow_across_two_scrapes_while_a_client_chats) {
    served chat({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--metrics-port", "0",
                 "--threads", "2"},
                3);
    BOOST_REQUIRE(chat.ports.count("metrics"));
    asio::io_context io;
    tcp::socket client(io);
    client.connect({asio::ip::make_address("127.0.0.1"), chat.ports.at("line")});
    asio::streambuf in;
    const auto line = [&] {
        asio::read_until(client, in, '\n');
        std::istream s(&in);
        std::string l;
        std::getline(s, l);
        return l;
    };
    const auto say = [&](const std::string& text) {
        asio::write(client, asio::buffer(text + "\n"));
        // The line protocol echoes a message to its sender: once it is back, the server counted it.
        while (line() != "anna: " + text) {}
    };
    line();  // the name prompt
    asio::write(client, asio::buffer(std::string("anna\n")));
    say("first");

    const auto first_text = get(chat.ports.at("metrics"), "/metrics");
    BOOST_TEST(status_of(first_text) == 200u);
    BOOST_TEST(first_text.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    std::map<std::string, std::string> types;
    std::map<std::string, double> first;
    BOOST_CHECK_NO_THROW(first = parse_exposition(body_of(first_text), types));
    for (const char* name : {"netkit_build_info", "netkit_chat_messages_in_total", "netkit_chat_messages_out_total",
                             "netkit_chat_bytes_in_total", "netkit_chat_bytes_out_total",
                             "netkit_chat_slow_consumers_dropped_total", "netkit_chat_members",
                             "netkit_chat_names_claimed", "netkit_connections_accepted_total",
                             "netkit_connections_refused_total", "netkit_connections_open"})
        BOOST_TEST(types.count(name) == 1u, name);
    BOOST_TEST(first.at("netkit_chat_members") == 1);
    BOOST_TEST(first.at("netkit_chat_names_claimed") == 1);
    BOOST_TEST(first.at("netkit_connections_open{listener=\"line\"}") == 1);
    BOOST_TEST(first.at("netkit_connections_accepted_total{listener=\"line\"}") == 1);
    BOOST_TEST(first.at("netkit_chat_messages_in_total") == 1);
    BOOST_TEST(types.count("netkit_chat_bus_connected") == 0u);  // no --bus: no bus metrics

    for (int i = 0; i < 5; ++i) say("more " + std::to_string(i));
    const auto second = parse_exposition(body_of(get(chat.ports.at("metrics"), "/metrics")));
    BOOST_TEST(second.size() == first.size());
    for (const auto& [series, value] : first) {
        const std::string name = series.substr(0, series.find('{'));
        if (types.at(name) == "counter") BOOST_TEST(second.at(series) >= value, series);
    }
    BOOST_TEST(second.at("netkit_chat_messages_in_total") == first.at("netkit_chat_messages_in_total") + 5);
    BOOST_TEST(second.at("netkit_chat_messages_out_total") >= first.at("netkit_chat_messages_out_total") + 5);
    BOOST_TEST(second.at("netkit_chat_bytes_out_total") > first.at("netkit_chat_bytes_out_total"));
    BOOST_TEST(second.at("netkit_chat_bytes_in_total") > first.at("netkit_chat_bytes_in_total"));
    BOOST_TEST(second.at("netkit_connections_accepted_total{listener=\"metrics\"}") >
               first.at("netkit_connections_accepted_total{listener=\"metrics\"}"));
}

BOOST_AUTO_TEST_CASE(health_unknown_paths_methods_bodies_and_oversized_headers) {
    served echo({exe, "serve", "echo", "--port", "0", "--metrics-port", "0"}, 2);
    const auto port = echo.ports.at("metrics");
    const auto health = get(port, "/healthz");
    BOOST_TEST(status_of(health) == 200u);
    BOOST_TEST(body_of(health) == "ok\n");
    BOOST_TEST(status_of(get(port, "/nothing-here")) == 404u);
    const auto post = http_exchange(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    BOOST_TEST(status_of(post) == 405u);
    BOOST_TEST(post.find("Allow: GET") != std::string::npos);
    BOOST_TEST(status_of(http_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")) == 413u);
    BOOST_TEST(status_of(http_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")) == 413u);
    BOOST_TEST(status_of(http_exchange(port, "GARBAGE\r\n\r\n")) == 400u);
    const std::string big(9000, 'a');
    BOOST_TEST(status_of(http_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n")) == 431u);
    // Just under the limit is still served.
    BOOST_TEST(status_of(http_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " +
                                            std::string(7000, 'a') + "\r\n\r\n")) == 200u);
    // The server counted its own listener too, and echo's unlabelled one as "default".
    const auto scraped = parse_exposition(body_of(get(port, "/metrics")));
    BOOST_TEST(scraped.count("netkit_connections_accepted_total{listener=\"default\"}") == 1u);
}

BOOST_AUTO_TEST_CASE(no_metrics_port_opens_no_extra_port) {
    served plain({exe, "serve", "chat", "--header-port", "0", "--line-port", "0"}, 2);
    BOOST_TEST(listening_ports(plain.child.pid()) ==
               (std::set<unsigned>{plain.ports.at("header"), plain.ports.at("line")}));
    // The same count with --metrics-port sees the third port: the check can fail.
    served counted({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--metrics-port", "0"}, 3);
    BOOST_TEST(listening_ports(counted.child.pid()).size() == 3u);
}

BOOST_AUTO_TEST_CASE(metrics_port_from_a_config_file_and_usage_errors) {
    test::temp_dir dir("netkit-metrics");
    const auto config = (dir.path / "files.conf").string();
    std::ofstream(config) << "metrics-port = 0\ndir = " << (dir.path / "store").string() << "\n";
    {
        served files({exe, "serve", "files", "--port", "0", "--config", config}, 2);
        BOOST_REQUIRE(files.ports.count("metrics"));
        const auto scraped = parse_exposition(body_of(get(files.ports.at("metrics"), "/metrics")));
        BOOST_TEST(scraped.at("netkit_files_uploads_total") == 0);
        BOOST_TEST(scraped.count("netkit_files_failures_total{operation=\"put\"}") == 1u);
    }
    const auto status = [](std::vector<std::string> args) {
        args.insert(args.begin(), {"/bin/sh", "-c", "exec \"$@\" 2>&1", "sh", exe});
        child_process c(args);
        const auto out = c.read_all();
        return std::make_pair(c.wait().value_or(-1), out);
    };
    auto [code, out] = status({"serve", "chat", "--metrics-port", "70000"});
    BOOST_TEST(code == 2);
    BOOST_TEST(out.find("--metrics-port") != std::string::npos);
    std::tie(code, out) = status({"serve", "echo", "--workers", "2", "--metrics-port", "0"});
    BOOST_TEST(code == 2);
    BOOST_TEST(out.find("--metrics-port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(files_count_uploads_downloads_and_failures) {
    test::temp_dir dir("netkit-metrics");
    served files({exe, "serve", "files", "--port", "0", "--metrics-port", "0", "--dir", (dir.path / "store").string()}, 2);
    const auto port = std::to_string(files.ports.at(""));
    test::write_file(dir.path / "note.txt", "hello\n");
    BOOST_TEST(netkit_status({"put", "127.0.0.1", port, (dir.path / "note.txt").string()}).first == 0);
    BOOST_TEST(netkit_status({"get", "127.0.0.1", port, "note.txt", "-o", (dir.path / "copy").string()}).first == 0);
    BOOST_TEST(netkit_status({"get", "127.0.0.1", port, "missing.txt", "-o", (dir.path / "x").string()}).first != 0);
    const auto scraped = parse_exposition(body_of(get(files.ports.at("metrics"), "/metrics")));
    BOOST_TEST(scraped.at("netkit_files_uploads_total") == 1);
    BOOST_TEST(scraped.at("netkit_files_downloads_total") == 1);
    BOOST_TEST(scraped.at("netkit_files_failures_total{operation=\"put\"}") == 0);
    BOOST_TEST(scraped.at("netkit_files_failures_total{operation=\"get\"}") == 1);
}

BOOST_AUTO_TEST_CASE(exec_counts_running_and_timed_out_commands) {
    served exec({exe, "serve", "exec", "--port", "0", "--metrics-port", "0", "--allow-shell", "--timeout", "2"}, 2);
    const auto port = std::to_string(exec.ports.at("exec"));
    const auto metrics_port = exec.ports.at("metrics");
    BOOST_TEST(scrape_until(metrics_port, "netkit_exec_processes_running", 0));
    {
        child_process slow({exe, "exec", "127.0.0.1", port, "sleep 1"});
        BOOST_TEST(scrape_until(metrics_port, "netkit_exec_processes_running", 1));
        BOOST_TEST(slow.wait(10s).value_or(-1) == 0);
    }
    BOOST_TEST(scrape_until(metrics_port, "netkit_exec_processes_running", 0));
    BOOST_TEST(netkit_status({"exec", "127.0.0.1", port, "exec sleep 10"}).first == 124);
    BOOST_TEST(scrape_until(metrics_port, "netkit_exec_processes_timed_out_total", 1));
}

BOOST_AUTO_TEST_CASE(bus_connected_follows_redis) {
    test::redis_server redis;
    served chat({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--metrics-port", "0", "--bus",
                 redis.url()},
                3);
    const auto port = chat.ports.at("metrics");
    BOOST_TEST(scrape_until(port, "netkit_chat_bus_connected", 1));
    BOOST_TEST(scrape_until(port, "netkit_chat_bus_events_dropped_total", 0));
    redis.stop();
    BOOST_TEST(scrape_until(port, "netkit_chat_bus_connected", 0));
}

BOOST_AUTO_TEST_SUITE_END()
