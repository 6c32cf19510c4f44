// `netkit serve chat`: one chat hub for the lesson 003 header protocol, the lesson 004 line
// protocol and (on request) the lesson 004 report's, each on its own port, and (on request) the
// browser page with its WebSocket endpoint on an HTTP port.
#include "chat_bus_option.hpp"
#include "cli_common.hpp"

#include <netkit/chat/bus.hpp>
#include <netkit/chat/chat_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/page.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/ws_session.hpp>
#include <netkit/http/server.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netkit::cli {

namespace {
// Large enough for any chat, small enough that 2 * max-message + 64 cannot overflow.
constexpr std::uint64_t max_message_limit = 64ULL << 20;
constexpr std::uint64_t max_queue_limit = 4ULL << 30;
// More members than any one process can hold sockets for.
constexpr std::uint64_t max_announce_limit = 100'000'000;
}  // namespace

int serve_chat(const args& a) {
    server_settings s;
    std::uint16_t header_port = 1234, line_port = 53000;
    chat::chat_options chat;
    std::string bus_url;
    const auto seconds = [](std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); };
    double flush_seconds = seconds(chat.flush_timeout);
    double login_seconds = seconds(chat.login_timeout);
    double stall_seconds = seconds(chat.stall_timeout);
    double announce_seconds = seconds(chat.announce_interval);
    std::uint16_t report_port = 0;
    std::optional<std::uint16_t> http_port;
    std::vector<std::string> allowed_origins;
    po::options_description options("options");
    options.add_options()
        ("header-port", port(header_port, "--header-port"),
         "port of the lesson 003 length-header protocol (0: any free port)")
        ("line-port", port(line_port, "--line-port"),
         "port of the lesson 004 line protocol, usable with nc (0: any free port)")
        ("report-port", po::value<std::string>()->value_name("PORT")->notifier([&report_port](const std::string& t) {
             report_port = parse_port(t, "--report-port");
         }),
         "also serve the lesson 004 report's own Python client here: its bytes, one message per "
         "send with no delimiter (off unless given; the report's client suggests 53000)")
        ("http-port", optional_port(http_port, "--http-port"),
         "also serve the chat's browser page here (GET /) and its WebSocket endpoint (GET /ws, "
         "JSON messages, see docs/chat-protocols.md), in the same room (off unless given; "
         "scripts/run-chat uses 8080)")
        ("allow-origin", po::value(&allowed_origins)->value_name("ORIGIN"),
         "a browser page that may connect to /ws besides the chat's own page, e.g. "
         "http://localhost:8080 (repeatable); other origins get 403")
        ("max-message", number(chat.max_message, 1, max_message_limit, "--max-message"),
         "longest message in bytes; a client sending more is disconnected")
        ("max-queue", number(chat.max_queue, 64, max_queue_limit, "--max-queue"),
         "hard cap on the bytes waiting to be sent to one client: past it the client is dropped; "
         "above a quarter of it the client's senders are slowed down (see --stall-timeout)")
        ("login-timeout", po::value(&login_seconds)->default_value(login_seconds),
         "seconds a new connection has to join with a valid, free name before it is closed")
        ("stall-timeout", po::value(&stall_seconds)->default_value(stall_seconds),
         "seconds a client may leave more than a quarter of --max-queue unread without reading "
         "any of it before it is dropped as a slow consumer; also the longest its senders wait")
        ("flush-timeout", po::value(&flush_seconds)->default_value(flush_seconds),
         "seconds a client that left (or closed its sending side) gets to read what is still "
         "queued for it before the connection is closed")
        ("announce-limit", number(chat.announce_limit, 0, max_announce_limit, "--announce-limit"),
         "up to this many members every join and leave is announced at once; above it they are "
         "gathered into one notice per --announce-interval, e.g. '12 joined, 3 left' (0: always)")
        ("announce-interval", po::value(&announce_seconds)->default_value(announce_seconds),
         "seconds between a big room's batched join/leave notices")
        ("bus", po::value(&bus_url)->value_name("URL"),
         "share the chat with other nodes through Redis: redis://HOST:PORT[/channel-prefix] "
         "(see docs/scaling-out.md); without it this node is on its own");
    add_server_options(options, s);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve chat [options]",
                          "A chat room shared by two protocols (see docs/chat-protocols.md). Header "
                          "port: frames of a 10-byte ASCII length header + payload; the first frame "
                          "is the name. Line port: UTF-8 lines; the server asks for a name, {quit} "
                          "leaves. With --report-port, the lesson 004 report's Python client joins "
                          "the same room. With --http-port, a browser page and its WebSocket "
                          "endpoint join it too. Names are unique across all, compared by their look (case and confusable "
                          "letters folded, Unicode UTS #39).",
                          options, vm))
        return *done;
    // A client must be able to hold at least one whole message (two frames) in its queue; both
    // are range-checked above, so the sum cannot overflow.
    if (chat.max_queue < 2 * chat.max_message + 64)
        throw usage_error("--max-queue must be at least twice --max-message plus 64 bytes");
    // An origin is what a browser sends: scheme://host[:port], no path; anything else never matches.
    for (const auto& origin : allowed_origins) {
        const auto scheme = origin.find("://");
        const bool web = origin.starts_with("http://") || origin.starts_with("https://");
        if (!web || origin.size() == scheme + 3 || origin.find('/', scheme + 3) != std::string::npos)
            throw usage_error("--allow-origin must be an origin such as http://localhost:8080, not '" + origin + "'");
    }
    chat.flush_timeout = seconds_option(flush_seconds, "--flush-timeout", true);
    chat.login_timeout = seconds_option(login_seconds, "--login-timeout", false);
    chat.stall_timeout = seconds_option(stall_seconds, "--stall-timeout", false);
    chat.announce_interval = seconds_option(announce_seconds, "--announce-interval", false);

    logger log(parse_level(s.log_level));
    server_host host(log);
    std::optional<chat::chat_metrics> counted;
    std::optional<chat::bus_metrics> bus_counted;
    if (auto* registry = enable_metrics(host, s)) {
        chat.metrics = &counted.emplace(*registry);
        if (!bus_url.empty()) bus_counted.emplace(*registry);
    }
    // Declared after the host: destroyed once its io_context no longer runs.
    auto bus = make_chat_bus(bus_url, host.io(), log, bus_counted ? &*bus_counted : nullptr);
    chat::hub room(host.io().get_executor(), *bus, log, chat);
    // Every protocol on a port of its own, labelled with its name, all in the one room.
    const auto serve = [&](const chat::protocol& p, std::uint16_t port) {
        host.add_tcp(listener(s, port, std::string(p.name())), chat::session_factory(room, chat, log, p));
    };
    serve(chat::header_protocol(), header_port);
    serve(chat::line_protocol(), line_port);
    if (vm.count("report-port")) serve(chat::report_protocol(), report_port);
    if (http_port) {
        auto routes = std::make_shared<http::router>();
        chat::add_page_routes(*routes);
        routes->upgrade("/ws", {chat::websocket_endpoint(room, chat, {}, log), allowed_origins});
        host.add_tcp(listener(s, *http_port, "http"), http::session_factory(std::move(routes)));
    }
    room.start();
    host.on_shutdown([&room] { room.stop(); });
    return run_host(host, s);
}

}  // namespace netkit::cli
