// The chat's WebSocket endpoint and browser page over loopback: a Beast client in the same room as
// header and line clients, the Origin rule, the limits, shutdown, and the page's HTTP routes.
#include "support/chat_peer.hpp"
#include "support/child_process.hpp"
#include "support/ws_peer.hpp"

#include <netkit/chat/chat_session.hpp>
#include <netkit/chat/client_message.hpp>
#include <netkit/chat/server_message.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/page.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/chat/ws_session.hpp>
#include <netkit/http/request_reader.hpp>
#include <netkit/http/server.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstring>
#include <sstream>
#include <thread>

using namespace netkit;
using netkit::test::child_process;
using netkit::test::ws_peer;
using namespace std::chrono_literals;

namespace {

const std::string exe = NETKIT_EXE;
const std::string allowed_origin = "http://allowed.example";

using peer = netkit::test::chat_peer;

// A chat server in this process: header, line and HTTP (page and /ws) listeners on ephemeral
// ports, one room, its log kept for inspection.
struct running_chat {
    explicit running_chat(chat::chat_options chat_options = {}, chat::ws_options ws = {}) : options(chat_options) {
        header_port = host.add_tcp({.label = "header"}, chat::session_factory(room, options, log, chat::header_protocol()))
                          .local_endpoint().port();
        line_port = host.add_tcp({.label = "line"}, chat::session_factory(room, options, log, chat::line_protocol()))
                        .local_endpoint().port();
        auto routes = std::make_shared<http::router>();
        chat::add_page_routes(*routes);
        routes->upgrade("/ws", {chat::websocket_endpoint(room, options, ws, log), {allowed_origin}});
        http_port = host.add_tcp({.label = "http"}, http::session_factory(routes)).local_endpoint().port();
        room.start();
        host.on_shutdown([this] { room.stop(); });
        runner = std::jthread([this] {
            std::ostringstream announce;
            host.run(2, 1000ms, announce);
        });
    }
    ~running_chat() { stop(); }
    void stop() {
        host.shutdown();
        if (runner.joinable()) runner.join();
    }
    std::string log_text() const { return log_stream.str(); }

    chat::chat_options options;
    std::ostringstream log_stream;
    logger log{log_level::info, &log_stream};
    chat::in_process_bus bus;
    server_host host{log};
    chat::hub room{host.io().get_executor(), bus, log, options};
    unsigned short header_port = 0, line_port = 0, http_port = 0;
    std::jthread runner;
};

// Connects over WebSocket and joins under `name`: its welcome and its own join are read.
std::unique_ptr<ws_peer> ws_user(unsigned short port, const std::string& name, int receive_buffer = 0) {
    auto p = std::make_unique<ws_peer>(port, std::string(), receive_buffer);
    BOOST_TEST_REQUIRE(p->handshake_status() == 101u);
    p->join(name);
    auto welcome = p->next();
    BOOST_TEST_REQUIRE(welcome.has_value());
    BOOST_TEST_REQUIRE(ws_peer::text_of(*welcome, "type") == "welcome");
    BOOST_TEST_REQUIRE(ws_peer::text_of(*welcome, "name") == name);
    BOOST_TEST_REQUIRE(p->wait_for("joined", "name", name).has_value());
    return p;
}

std::unique_ptr<peer> line_user(unsigned short port, const std::string& name) {
    auto p = std::make_unique<peer>(port);
    BOOST_TEST_REQUIRE(p->line().value_or("") == std::string(chat::line_protocol().prompt()));
    p->send_line(name);
    BOOST_TEST_REQUIRE(p->wait_line(name + " joined the chat"));
    return p;
}

std::unique_ptr<peer> header_user(unsigned short port, const std::string& name) {
    auto p = std::make_unique<peer>(port);
    p->send_frame(name);
    BOOST_TEST_REQUIRE(p->wait_event("server", name + " joined the chat"));
    return p;
}

bool members_become(chat::hub& room, std::size_t n) {
    for (int i = 0; i < 1000; ++i) {
        if (room.size() == n) return true;
        std::this_thread::sleep_for(5ms);  // the hub has no event for this; polling its size
    }
    return false;
}

// One HTTP request (Connection: close) and the whole answer.
std::string http_get(unsigned short port, const std::string& method, const std::string& target) {
    peer p(port);
    p.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    BOOST_TEST(p.closed_by_server(5s));
    return p.pending();
}

std::vector<std::string> members_of(const boost::json::object& welcome) {
    std::vector<std::string> out;
    for (const auto& v : welcome.at("members").as_array()) out.emplace_back(v.as_string());
    std::sort(out.begin(), out.end());
    return out;
}


// A raw WebSocket client on a plain socket, to send what a browser would not (fragments, pings,
// bad frames) and to see the server's frames byte by byte.
struct raw_ws {
    // `early`: sent with the request, before the answer (a client should wait for it; some do not).
    explicit raw_ws(unsigned short port, const std::string& version = "13", const std::string& early = {}) : p(port) {
        p.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: " + version + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" + early);
        for (;;) {
            auto l = p.line();
            if (!l || *l == "\r") break;
            answer += *l + "\n";
        }
    }
    // A client frame (RFC 6455 §5.2), masked unless told otherwise, with a fixed mask.
    static std::string frame(unsigned opcode, const std::string& payload, bool fin = true, bool masked = true) {
        std::string out(1, static_cast<char>((fin ? 0x80 : 0) | opcode));
        const unsigned char mask_bit = masked ? 0x80 : 0;
        if (payload.size() < 126) {
            out += static_cast<char>(mask_bit | payload.size());
        } else {
            out += static_cast<char>(mask_bit | 126);
            out += static_cast<char>(payload.size() >> 8);
            out += static_cast<char>(payload.size() & 0xff);
        }
        const char key[4] = {0x12, 0x34, 0x56, 0x78};
        if (masked) out.append(key, 4);
        for (std::size_t i = 0; i < payload.size(); ++i) out += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
        return out;
    }
    void send_text(const std::string& text) { p.send(frame(1, text)); }
    // The server's next frame: (opcode, payload); server frames are never masked.
    std::optional<std::pair<unsigned, std::string>> next(std::chrono::milliseconds timeout = 5s) {
        auto head = p.read_exactly(2, timeout);
        if (!head) return std::nullopt;
        BOOST_TEST((static_cast<unsigned char>((*head)[1]) & 0x80) == 0u);
        std::size_t n = static_cast<unsigned char>((*head)[1]) & 0x7f;
        if (n >= 126) {
            auto ext = p.read_exactly(n == 126 ? 2 : 8, timeout);
            if (!ext) return std::nullopt;
            n = 0;
            for (char c : *ext) n = (n << 8) | static_cast<unsigned char>(c);
        }
        auto payload = p.read_exactly(n, timeout);
        if (!payload) return std::nullopt;
        return std::pair{static_cast<unsigned>((*head)[0] & 0x0f), *payload};
    }
    // The code of the next close frame, skipping text frames; 0 if none comes.
    unsigned close_code(std::chrono::milliseconds timeout = 5s) {
        while (auto f = next(timeout))
            if (f->first == 8)
                return f->second.size() < 2 ? 0u
                                            : static_cast<unsigned>(static_cast<unsigned char>(f->second[0]) << 8 |
                                                                    static_cast<unsigned char>(f->second[1]));
        return 0;
    }
    peer p;
    std::string answer;  // the HTTP answer's header lines
};
}  // namespace

BOOST_AUTO_TEST_SUITE(chat_ws)

BOOST_AUTO_TEST_CASE(client_frames_parse_into_messages_or_reasons) {
    using kind = chat::client_message::kind;
    const auto join = chat::parse_client_message(R"( {"name":"Ana Mar\u00eda","type":"join","extra":[1]} )");
    BOOST_TEST_REQUIRE(join.message.has_value());
    BOOST_TEST((join.message->type == kind::join));
    BOOST_TEST(join.message->value == "Ana Mar\xc3\xad" "a");
    BOOST_TEST(join.error.empty());
    const auto say = chat::parse_client_message(R"({"type":"say","text":"a\nb \"q\""})");
    BOOST_TEST_REQUIRE(say.message.has_value());
    BOOST_TEST(say.message->value == "a\nb \"q\"");
    BOOST_TEST((chat::parse_client_message(chat::encode(*say.message)).message == say.message));
    BOOST_TEST((chat::parse_client_message(R"({"type":"quit"})").message->type == kind::quit));
    for (const char* bad : {"", "null", "{}", R"({"type":1})", R"({"type":"say"})", R"({"type":"join","name":null})",
                            "{\"type\":\"say\",\"text\":\"\xff\"}", "{\"type\":\"quit\"} trailing"}) {
        const auto parsed = chat::parse_client_message(bad);
        BOOST_TEST(!parsed.message.has_value(), bad);
        BOOST_TEST(!parsed.error.empty(), bad);
    }
}

BOOST_AUTO_TEST_CASE(server_frames_are_json_with_sanitized_text) {
    BOOST_TEST(chat::event_json({chat::chat_event::kind::message, "bob", "<img src=x onerror=alert(1)>\r\nx"}) ==
               R"({"type":"message","from":"bob","text":"<img src=x onerror=alert(1)>  x"})");
    BOOST_TEST(chat::event_json({chat::chat_event::kind::joined, "anna", ""}) == R"({"type":"joined","name":"anna"})");
    BOOST_TEST(chat::event_json({chat::chat_event::kind::batch, "", "", {"a", "b"}, {"c"}}) ==
               R"({"type":"batch","joined":["a","b"],"left":["c"]})");
    BOOST_TEST(chat::welcome_json("anna", {"anna", "bob"}, 2) ==
               R"({"type":"welcome","name":"anna","members":["anna","bob"],"count":2})");
    BOOST_TEST(chat::error_json("bad \"x\"\x01") == "{\"type\":\"error\",\"reason\":\"bad \\\"x\\\"\xef\xbf\xbd\"}");
    BOOST_TEST(chat::end_json() == R"({"type":"end"})");
    BOOST_TEST(chat::websocket_protocol().echoes_sender());
    // Events go out as whole frames, shared by every browser; several may leave in one send.
    BOOST_TEST(chat::websocket_protocol().joins_bursts());
    BOOST_TEST(chat::websocket_protocol().encode({chat::chat_event::kind::joined, "anna", ""}) ==
               "\x81\x1f" R"({"type":"joined","name":"anna"})");
}

BOOST_AUTO_TEST_CASE(text_frames_carry_their_length_in_the_three_sizes) {
    // RFC 6455 §5.2: up to 125 bytes in the second byte, then 126 + 16 bits, then 127 + 64 bits.
    const auto header_of = [](std::size_t n) {
        const auto frame = chat::text_frame(std::string(n, 'x'));
        BOOST_TEST(frame.size() >= n);
        return frame.substr(0, frame.size() - n);
    };
    BOOST_TEST(header_of(0) == std::string("\x81\x00", 2));
    BOOST_TEST(header_of(125) == "\x81\x7d");
    BOOST_TEST(header_of(126) == std::string("\x81\x7e\x00\x7e", 4));
    BOOST_TEST(header_of(65535) == "\x81\x7e\xff\xff");
    BOOST_TEST(header_of(65536) == std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

BOOST_AUTO_TEST_CASE(the_request_reader_checks_upgrades_without_a_socket) {
    http::router routes;
    routes.upgrade("/ws", {nullptr, {"http://Allowed.example"}});
    const auto answer = [&routes](const std::string& fields) {
        http::request_reader reader(routes, 8192);
        const std::string request = "GET /ws HTTP/1.1\r\nHost: chat.example:8080\r\n" + fields + "\r\n";
        auto room = reader.prepare();
        std::memcpy(room.data(), request.data(), request.size());
        reader.commit(request.size());
        auto reply = reader.next();
        BOOST_TEST_REQUIRE(reply.has_value());
        return reply->handover ? 101u : reply->answer.status;
    };
    const std::string upgrade =
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    BOOST_TEST(answer(upgrade) == 101u);
    BOOST_TEST(answer(upgrade + "Origin: http://chat.example:8080\r\n") == 101u);
    BOOST_TEST(answer(upgrade + "Origin: HTTP://CHAT.example:8080\r\n") == 101u);
    BOOST_TEST(answer(upgrade + "Origin: http://allowed.example\r\n") == 101u);
    BOOST_TEST(answer(upgrade + "Origin: https://chat.example:8080\r\n") == 403u);
    BOOST_TEST(answer(upgrade + "Origin: http://chat.example:8081\r\n") == 403u);
    BOOST_TEST(answer(upgrade + "Origin: null\r\n") == 403u);
    BOOST_TEST(answer("") == 426u);
}

BOOST_AUTO_TEST_CASE(the_request_reader_hands_over_what_followed_an_upgrade) {
    http::router routes;
    routes.upgrade("/ws", {nullptr, {}});
    http::request_reader reader(routes, 8192);
    const std::string bytes =
        "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n\x81\x85" "early";
    auto room = reader.prepare();
    std::memcpy(room.data(), bytes.data(), bytes.size());
    reader.commit(bytes.size());
    const auto reply = reader.next();
    BOOST_TEST_REQUIRE(reply.has_value());
    BOOST_TEST_REQUIRE(reply->handover.has_value());
    BOOST_TEST(reply->handover->early == "\x81\x85" "early");  // the WebSocket's first bytes, not lost
    BOOST_TEST(reader.buffered() == 0u);
    BOOST_TEST(!reader.next().has_value());
}

BOOST_AUTO_TEST_CASE(join_gets_welcome_with_members_and_own_message_back) {
    running_chat s;
    auto bob = line_user(s.line_port, "bob");
    ws_peer alice(s.http_port);
    BOOST_TEST_REQUIRE(alice.handshake_status() == 101u);
    alice.join("alice");
    const auto welcome = alice.next();
    BOOST_TEST_REQUIRE(welcome.has_value());
    BOOST_TEST(ws_peer::text_of(*welcome, "type") == "welcome");
    BOOST_TEST(ws_peer::text_of(*welcome, "name") == "alice");
    BOOST_TEST((members_of(*welcome) == std::vector<std::string>{"alice", "bob"}));
    BOOST_TEST(welcome->at("count").to_number<int>() == 2);
    BOOST_TEST(alice.wait_for("joined", "name", "alice").has_value());
    alice.say("hello <b>there</b>");
    const auto echo = alice.wait_for("message");
    BOOST_TEST_REQUIRE(echo.has_value());
    BOOST_TEST(ws_peer::text_of(*echo, "from") == "alice");
    BOOST_TEST(ws_peer::text_of(*echo, "text") == "hello <b>there</b>");
    BOOST_TEST(bob->wait_line("alice: hello <b>there</b>"));
}

BOOST_AUTO_TEST_CASE(a_taken_name_is_refused_and_retried_on_the_same_connection) {
    running_chat s;
    auto bob = line_user(s.line_port, "bob");
    ws_peer ws(s.http_port);
    BOOST_TEST_REQUIRE(ws.handshake_status() == 101u);
    ws.join("Bob");  // the same look as "bob"
    const auto refused = ws.next();
    BOOST_TEST_REQUIRE(refused.has_value());
    BOOST_TEST(ws_peer::text_of(*refused, "type") == "error");
    BOOST_TEST(ws_peer::text_of(*refused, "reason").find("taken") != std::string::npos);
    ws.join("");
    BOOST_TEST(ws_peer::text_of(ws.next().value_or(boost::json::object{}), "type") == "error");
    ws.join("robert");
    const auto welcome = ws.next();
    BOOST_TEST_REQUIRE(welcome.has_value());
    BOOST_TEST(ws_peer::text_of(*welcome, "type") == "welcome");
    BOOST_TEST(ws_peer::text_of(*welcome, "name") == "robert");
    BOOST_TEST(bob->wait_line("robert joined the chat"));
    ws.join("again");
    const auto twice = ws.wait_for("error");
    BOOST_TEST_REQUIRE(twice.has_value());
    BOOST_TEST(ws_peer::text_of(*twice, "reason").find("already joined") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(three_protocols_share_one_room) {
    running_chat s;
    auto ws = ws_user(s.http_port, "wendy");
    auto line = line_user(s.line_port, "lars");
    auto header = header_user(s.header_port, "hank");
    BOOST_TEST(ws->wait_for("joined", "name", "lars").has_value());
    BOOST_TEST(ws->wait_for("joined", "name", "hank").has_value());
    BOOST_TEST(line->wait_line("hank joined the chat"));

    ws->say("from the browser");
    BOOST_TEST(line->wait_line("wendy: from the browser"));
    BOOST_TEST(header->wait_event("wendy", "from the browser"));
    line->send_line("from nc");
    BOOST_TEST(ws->wait_for("message", "text", "from nc").has_value());
    header->send_frame("from lesson 003");
    const auto m = ws->wait_for("message", "text", "from lesson 003");
    BOOST_TEST_REQUIRE(m.has_value());
    BOOST_TEST(ws_peer::text_of(*m, "from") == "hank");

    line->send_line("{quit}");
    BOOST_TEST(ws->wait_for("left", "name", "lars").has_value());
    ws->send(R"({"type":"quit"})");
    BOOST_TEST(header->wait_event("server", "wendy left the chat"));
    BOOST_TEST(ws->close_code().value_or(0) == 1000u);
}

BOOST_AUTO_TEST_CASE(malformed_frames_get_an_error_and_the_connection_goes_on) {
    running_chat s;
    ws_peer ws(s.http_port);
    BOOST_TEST_REQUIRE(ws.handshake_status() == 101u);
    const auto reason_for = [&ws](const std::string& frame) {
        ws.send(frame);
        const auto answer = ws.next();
        if (!answer || ws_peer::text_of(*answer, "type") != "error") return std::string("(no error)");
        return ws_peer::text_of(*answer, "reason");
    };
    BOOST_TEST(reason_for("{").find("malformed JSON") == 0u);
    BOOST_TEST(reason_for("[1,2]") == "expected a JSON object");
    BOOST_TEST(reason_for(R"({"type":"dance"})").find("unknown type") == 0u);
    BOOST_TEST(reason_for(R"({"type":"join","name":7})").find("\"name\"") != std::string::npos);
    BOOST_TEST(reason_for(R"({"type":"say","text":"too early"})") == "join first");
    BOOST_TEST(reason_for(std::string(200, '[')).find("malformed JSON") == 0u);  // too deep
    ws.join("still_here");
    BOOST_TEST(ws.wait_for("welcome", "name", "still_here").has_value());
    BOOST_TEST(ws.wait_for("joined", "name", "still_here").has_value());
    BOOST_TEST(reason_for(R"({"type":"say","text":["a"]})").find("\"text\"") != std::string::npos);
    ws.say("fine");
    BOOST_TEST(ws.wait_for("message", "text", "fine").has_value());
}

BOOST_AUTO_TEST_CASE(an_oversized_frame_closes_with_1009_and_others_are_unaffected) {
    running_chat s(chat::chat_options{.max_message = 1024});
    auto big = ws_user(s.http_port, "big");
    auto other = ws_user(s.http_port, "other");
    big->say(std::string(2000, 'x'));
    BOOST_TEST(big->close_code().value_or(0) == 1009u);
    BOOST_TEST(other->wait_for("left", "name", "big").has_value());
    auto third = ws_user(s.http_port, "third");
    third->say(std::string(900, 'y'));  // under the limit with its JSON around it
    BOOST_TEST(other->wait_for("message", "text", std::string(900, 'y')).has_value());
}

BOOST_AUTO_TEST_CASE(a_big_room_cuts_the_welcome_list_and_sends_batches) {
    running_chat s(chat::chat_options{.announce_limit = 2, .announce_interval = 200ms});
    auto ann = line_user(s.line_port, "ann");
    auto bob = line_user(s.line_port, "bob");
    auto cy = line_user(s.line_port, "cy");  // the room is now above the limit
    ws_peer wendy(s.http_port);
    BOOST_TEST_REQUIRE(wendy.handshake_status() == 101u);
    wendy.join("wendy");
    const auto welcome = wendy.next();
    BOOST_TEST_REQUIRE(welcome.has_value());
    const auto& members = welcome->at("members").as_array();
    BOOST_TEST(members.size() == 2u);
    BOOST_TEST(members.at(0).as_string() == "wendy");
    BOOST_TEST(welcome->at("count").to_number<int>() == 4);
    ann->send_line("{quit}");
    // Wendy's join and ann's leave come in one batch or two (each interval has its own).
    std::vector<std::string> joined, left;
    for (int batches = 0; batches < 2 && left.empty(); ++batches) {
        const auto batch = wendy.wait_for("batch");
        BOOST_TEST_REQUIRE(batch.has_value());
        for (const auto& n : batch->at("joined").as_array()) joined.emplace_back(n.as_string());
        for (const auto& n : batch->at("left").as_array()) left.emplace_back(n.as_string());
    }
    BOOST_TEST((std::find(joined.begin(), joined.end(), "wendy") != joined.end()));
    BOOST_TEST((left == std::vector<std::string>{"ann"}));
}

BOOST_AUTO_TEST_CASE(the_origin_must_be_the_pages_own_or_allowed) {
    running_chat s;
    ws_peer evil(s.http_port, "http://evil.example");
    BOOST_TEST(evil.handshake_status() == 403u);
    ws_peer same_host_other_port(s.http_port, "http://127.0.0.1:1");
    BOOST_TEST(same_host_other_port.handshake_status() == 403u);
    ws_peer allowed(s.http_port, allowed_origin);
    BOOST_TEST(allowed.handshake_status() == 101u);
    ws_peer own(s.http_port, "http://127.0.0.1:" + std::to_string(s.http_port));
    BOOST_TEST(own.handshake_status() == 101u);
    ws_peer no_origin(s.http_port);  // not a browser
    BOOST_TEST(no_origin.handshake_status() == 101u);
    own.join("own");
    BOOST_TEST(own.wait_for("welcome").has_value());
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_is_dropped_while_others_receive_everything) {
    running_chat s(chat::chat_options{.max_message = 65536, .max_queue = 256 * 1024, .stall_timeout = 500ms});
    auto stuck = ws_user(s.http_port, "stuck", 4096);  // a small window, and it reads no more
    auto reader = ws_user(s.http_port, "reader");
    auto writer = header_user(s.header_port, "writer");
    BOOST_TEST(reader->wait_for("joined", "name", "writer").has_value());

    constexpr int messages = 400;
    const std::string body(16 * 1024, 'm');
    int in_order = 0;
    for (int i = 0; i < messages; ++i) {
        writer->send_frame(std::to_string(i) + " " + body);
        auto m = reader->wait_for("message", {}, {}, 10s);
        if (!m || ws_peer::text_of(*m, "text") != std::to_string(i) + " " + body) break;
        ++in_order;
    }
    BOOST_TEST(in_order == messages);
    BOOST_TEST(members_become(s.room, 2));
    s.stop();
    BOOST_TEST(s.log_text().find("slow consumer stuck") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(login_and_idle_timeouts_close_the_connection) {
    running_chat s(chat::chat_options{.login_timeout = 300ms}, chat::ws_options{.idle_timeout = 400ms});
    ws_peer silent(s.http_port);
    BOOST_TEST_REQUIRE(silent.handshake_status() == 101u);
    const auto told = silent.next(5s);
    BOOST_TEST_REQUIRE(told.has_value());
    BOOST_TEST(ws_peer::text_of(*told, "reason").find("no name given") == 0u);
    BOOST_TEST(silent.close_code().value_or(0) == 1008u);

    // A browser that vanished answers no ping: its session ends after the idle timeout.
    auto gone = ws_user(s.http_port, "gone");
    BOOST_TEST(members_become(s.room, 1));
    BOOST_TEST(members_become(s.room, 0));  // nothing read (no pong) for 400 ms
}

BOOST_AUTO_TEST_CASE(shutdown_sends_end_then_close_1001) {
    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--http-port", "0"});
    unsigned short http = 0;
    for (int i = 0; i < 3; ++i) {
        const auto l = server.read_line(20s);
        BOOST_TEST_REQUIRE(l.has_value());
        if (l->find("(http)") != std::string::npos) http = test::port_of(*l);
    }
    BOOST_TEST_REQUIRE(http != 0);
    auto joined = ws_user(http, "alice");
    ws_peer at_prompt(http);
    BOOST_TEST_REQUIRE(at_prompt.handshake_status() == 101u);
    server.signal(SIGTERM);
    for (ws_peer* p : {joined.get(), &at_prompt}) {
        BOOST_TEST(p->close_code(10s).value_or(0) == 1001u);
        BOOST_TEST(p->last_before_close() == R"({"type":"end"})");
    }
    BOOST_TEST(server.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(raw_frames_follow_rfc_6455) {
    running_chat s;
    raw_ws old(s.http_port, "8");
    BOOST_TEST(old.answer.find("426") != std::string::npos);
    BOOST_TEST(old.answer.find("Sec-WebSocket-Version: 13") != std::string::npos);

    raw_ws ws(s.http_port);
    BOOST_TEST(ws.answer.find("HTTP/1.1 101") == 0u);
    BOOST_TEST(ws.answer.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
    // A join in two fragments with a ping between them: the pong comes at once, the join whole.
    ws.p.send(raw_ws::frame(1, R"({"type":"jo)", false) + raw_ws::frame(9, "hi") +
              raw_ws::frame(0, R"(in","name":"raw"})"));
    const auto pong = ws.next();
    BOOST_TEST_REQUIRE(pong.has_value());
    BOOST_TEST(pong->first == 10u);
    BOOST_TEST(pong->second == "hi");
    const auto welcome = ws.next();
    BOOST_TEST_REQUIRE(welcome.has_value());
    BOOST_TEST(welcome->second.find(R"("type":"welcome","name":"raw")") != std::string::npos);
    ws.p.send(raw_ws::frame(2, "\x01\x02"));
    bool told = false;
    while (auto f = ws.next())
        if ((told = f->second.find("only text frames") != std::string::npos)) break;
    BOOST_TEST(told);
    // The client closes: the same code comes back and the server ends the connection.
    ws.p.send(raw_ws::frame(8, std::string("\x03\xe8", 2) + "bye"));
    BOOST_TEST(ws.close_code() == 1000u);
    BOOST_TEST(ws.p.closed_by_server(5s));
    BOOST_TEST(members_become(s.room, 0));

    // A join sent in the same packet as the upgrade request is not lost with the HTTP buffer.
    raw_ws eager(s.http_port, "13", raw_ws::frame(1, R"({"type":"join","name":"eager"})"));
    BOOST_TEST(eager.answer.find("HTTP/1.1 101") == 0u);
    const auto eager_welcome = eager.next();
    BOOST_TEST_REQUIRE(eager_welcome.has_value());
    BOOST_TEST(eager_welcome->second.find(R"("name":"eager")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(messages_that_arrive_together_all_reach_the_room_in_order) {
    running_chat s;
    auto line = line_user(s.line_port, "reader");
    raw_ws ws(s.http_port);
    ws.send_text(R"({"type":"join","name":"fast"})");
    BOOST_TEST_REQUIRE(line->wait_line("fast joined the chat"));
    // 300 messages in one send: read together, said together, in order.
    std::string all;
    for (int i = 0; i < 300; ++i) all += raw_ws::frame(1, R"({"type":"say","text":"m)" + std::to_string(i) + "\"}");
    ws.p.send(all);
    for (int i = 0; i < 300; ++i) {
        const auto l = line->line();
        BOOST_TEST_REQUIRE(l.has_value());
        BOOST_TEST_REQUIRE(*l == "fast: m" + std::to_string(i));
    }
    int echoed = 0;
    while (echoed < 300) {
        const auto f = ws.next();
        BOOST_TEST_REQUIRE(f.has_value());
        if (f->second.find(R"("type":"message")") == std::string::npos) continue;
        BOOST_TEST_REQUIRE(f->second.find("\"m" + std::to_string(echoed) + "\"") != std::string::npos);
        ++echoed;
    }
    // A message read together with a frame that breaks the rules still reaches the room.
    ws.p.send(raw_ws::frame(1, R"({"type":"say","text":"last words"})") + raw_ws::frame(1, "x", true, false));
    BOOST_TEST(line->wait_line("fast: last words"));
    BOOST_TEST(ws.close_code() == 1002u);
}

BOOST_AUTO_TEST_CASE(frames_that_break_the_rfc_close_with_its_codes) {
    running_chat s;
    const auto code_for = [&s](const std::string& bytes) {
        raw_ws ws(s.http_port);
        ws.p.send(bytes);
        const unsigned code = ws.close_code();
        ws.p.send(raw_ws::frame(8, std::string("\x03\xe8", 2)));  // the client's answer
        BOOST_TEST(ws.p.closed_by_server(5s));
        return code;
    };
    BOOST_TEST(code_for(raw_ws::frame(1, R"({"type":"quit"})", true, false)) == 1002u);  // not masked
    BOOST_TEST(code_for(raw_ws::frame(1, "\xff\xfe")) == 1007u);                         // not UTF-8
    BOOST_TEST(code_for(raw_ws::frame(0, "x")) == 1002u);                                // nothing to continue
    BOOST_TEST(code_for(raw_ws::frame(9, "x", false)) == 1002u);                         // a fragmented ping
    BOOST_TEST(code_for(raw_ws::frame(1, R"({"type":"quit"})")) == 1000u);
    BOOST_TEST(s.log_text().find("unmasked frame") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_idle_client_is_pinged_and_an_unanswered_close_ends_at_the_timeout) {
    running_chat s({}, chat::ws_options{.idle_timeout = 600ms, .handshake_timeout = 300ms});
    raw_ws ws(s.http_port);
    ws.send_text(R"({"type":"join","name":"quiet"})");
    const auto started = std::chrono::steady_clock::now();
    std::optional<std::pair<unsigned, std::string>> f;
    while ((f = ws.next(2s)) && f->first != 9) {
    }
    BOOST_TEST_REQUIRE(f.has_value());  // a ping, at half the idle timeout
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 250ms));
    ws.p.send(raw_ws::frame(10, f->second));  // answered: the connection stays
    BOOST_TEST(members_become(s.room, 1));
    ws.send_text(R"({"type":"quit"})");
    BOOST_TEST(ws.close_code() == 1000u);
    BOOST_TEST(members_become(s.room, 0));  // gone from the room at once
    BOOST_TEST(ws.p.closed_by_server(3s));  // and the close never answered: cut at 300 ms
    BOOST_TEST(s.log_text().find("no answer to the close frame") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_page_is_served_with_its_headers) {
    running_chat s;
    const auto page = http_get(s.http_port, "GET", "/");
    BOOST_TEST(page.find("HTTP/1.1 200 OK\r\n") == 0u);
    BOOST_TEST(page.find("Content-Type: text/html; charset=utf-8\r\n") != std::string::npos);
    BOOST_TEST(page.find("Cache-Control: no-cache\r\n") != std::string::npos);
    BOOST_TEST(page.find("Content-Security-Policy: " + std::string(chat::page_security_policy) + "\r\n") !=
               std::string::npos);
    BOOST_TEST(page.find("X-Content-Type-Options: nosniff\r\n") != std::string::npos);
    BOOST_TEST(page.find("Referrer-Policy: no-referrer\r\n") != std::string::npos);
    BOOST_TEST(page.find("netkit chat") != std::string::npos);
    const auto script = http_get(s.http_port, "GET", "/chat.js");
    BOOST_TEST(script.find("HTTP/1.1 200 OK\r\n") == 0u);
    BOOST_TEST(script.find("Content-Type: text/javascript; charset=utf-8\r\n") != std::string::npos);
    BOOST_TEST(script.find("Content-Security-Policy: ") != std::string::npos);
    const auto style = http_get(s.http_port, "GET", "/chat.css");
    BOOST_TEST(style.find("Content-Type: text/css; charset=utf-8\r\n") != std::string::npos);
    BOOST_TEST(http_get(s.http_port, "GET", "/index.html").find("HTTP/1.1 404") == 0u);
    BOOST_TEST(http_get(s.http_port, "POST", "/").find("HTTP/1.1 405") == 0u);
    BOOST_TEST(http_get(s.http_port, "GET", "/ws").find("HTTP/1.1 426") == 0u);
    // The embedded files are the source tree's.
    for (const auto& file : chat::page_files()) BOOST_TEST(!file.bytes.empty());
}

BOOST_AUTO_TEST_CASE(http_port_and_allow_origin_on_the_command_line) {
    child_process help({exe, "serve", "chat", "--help"});
    const auto text = help.read_all();
    BOOST_TEST(text.find("--http-port") != std::string::npos);
    BOOST_TEST(text.find("--allow-origin") != std::string::npos);
    BOOST_TEST(help.wait().value_or(-1) == 0);
    child_process bad_port({exe, "serve", "chat", "--http-port", "70000"});
    BOOST_TEST(bad_port.wait().value_or(-1) == 2);
    child_process not_a_port({exe, "serve", "chat", "--http-port", "web"});
    BOOST_TEST(not_a_port.wait().value_or(-1) == 2);
    child_process with_path({exe, "serve", "chat", "--http-port", "0", "--allow-origin", "http://a.example/chat"});
    BOOST_TEST(with_path.wait().value_or(-1) == 2);
    child_process no_scheme({exe, "serve", "chat", "--http-port", "0", "--allow-origin", "a.example"});
    BOOST_TEST(no_scheme.wait().value_or(-1) == 2);

    child_process server({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--http-port", "0",
                          "--allow-origin", "http://one.example", "--allow-origin", "http://two.example"});
    unsigned short http = 0;
    for (int i = 0; i < 3; ++i) {
        const auto l = server.read_line(20s);
        BOOST_TEST_REQUIRE(l.has_value());
        if (l->find("(http)") != std::string::npos) http = test::port_of(*l);
    }
    BOOST_TEST_REQUIRE(http != 0);
    BOOST_TEST(ws_peer(http, "http://two.example").handshake_status() == 101u);
    BOOST_TEST(ws_peer(http, "http://three.example").handshake_status() == 403u);
    server.signal(SIGTERM);
    BOOST_TEST(server.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
