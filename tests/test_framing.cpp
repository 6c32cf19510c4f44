// The pure codecs: length-header frames (lesson 003), lines (lesson 004) and the report's one
// message per read, fed in every split; WebSocket frames (RFC 6455 section 5).
#include <netkit/framing/length_header.hpp>
#include <netkit/framing/lines.hpp>
#include <netkit/framing/per_read.hpp>
#include <netkit/framing/websocket.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace netkit;
namespace nf = netkit::framing;
using namespace std::string_literals;

namespace {

// Feeds `bytes` in pieces of `step` bytes and collects every frame.
template <class Decoder>
std::vector<std::string> decode_in_steps(Decoder& d, const std::string& bytes, std::size_t step) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < bytes.size(); i += step) {
        d.feed(std::string_view(bytes).substr(i, step));
        while (auto f = d.next()) out.emplace_back(*f);
    }
    return out;
}

bool header_refused(const std::string& header, std::size_t max = 100) {
    nf::length_header_decoder d(max);
    d.feed(header);
    try {
        d.next();
    } catch (const nf::error&) {
        return true;
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(framing)

BOOST_AUTO_TEST_CASE(header_is_left_aligned_like_python) {
    BOOST_TEST(nf::length_frame("hello") == "5         hello");
    BOOST_TEST(nf::length_frame("") == "0         ");
    BOOST_TEST(nf::length_frame(std::string(1234, 'x')).substr(0, 10) == "1234      ");
}

BOOST_AUTO_TEST_CASE(frames_survive_every_split_and_coalescing) {
    const std::vector<std::string> payloads = {"alice", "", "hello world", std::string(300, 'z'), "ciao"};
    std::string stream;
    for (const auto& p : payloads) stream += nf::length_frame(p);
    for (std::size_t step : {1u, 2u, 3u, 7u, 10u, 11u, 64u, 1000u}) {
        nf::length_header_decoder d(1000);
        BOOST_TEST(decode_in_steps(d, stream, step) == payloads, "step " << step);
        BOOST_TEST(d.buffered() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(any_space_padding_of_digits_is_accepted) {
    for (const std::string h : {"5         ", "         5", "    5     ", "0000000005"}) {
        nf::length_header_decoder d(100);
        d.feed(h + "abcde");
        const auto f = d.next();
        BOOST_TEST_REQUIRE(f.has_value(), "header '" << h << "'");
        BOOST_TEST(*f == "abcde");
    }
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_refused) {
    const std::vector<std::string> bad = {"          ", "abc       ", "-5        ", "+5        ", "5 5       ", "0x10      ",
                                "5\t        ", "\n5        ", "5.0       ", "1e3       ", "\0" "5        "s};
    for (const auto& h : bad) BOOST_TEST(header_refused(h), "header '" << h << "'");
    BOOST_TEST(header_refused("101       ", 100));       // over the limit
    BOOST_TEST(header_refused("9999999999", 100));       // largest header, far over
    BOOST_TEST(!header_refused("100       ", 100));      // exactly the limit: waits for the payload
}

BOOST_AUTO_TEST_CASE(oversized_frame_is_refused_before_its_payload_arrives) {
    nf::length_header_decoder d(10);
    d.feed("11        ");
    BOOST_CHECK_THROW(d.next(), nf::error);
}

BOOST_AUTO_TEST_CASE(partial_header_waits) {
    nf::length_header_decoder d(100);
    d.feed("3    ");
    BOOST_TEST(!d.next().has_value());
    d.feed("     ab");
    BOOST_TEST(!d.next().has_value());
    d.feed("c");
    BOOST_TEST(d.next().value() == "abc");
    BOOST_TEST(!d.next().has_value());
}

// The largest limit (what "--max-message -1" used to become) must not wrap: a partial line waits,
// and an empty buffer is never looked into.
BOOST_AUTO_TEST_CASE(line_limit_at_the_maximum_does_not_wrap) {
    netkit::framing::line_decoder lines(std::numeric_limits<std::size_t>::max());
    BOOST_TEST(!lines.next().has_value());
    lines.feed("partial");
    BOOST_TEST(!lines.next().has_value());
    lines.feed(" line\r\n");
    BOOST_TEST(lines.next().value_or("?") == "partial line");
    BOOST_TEST(!lines.next().has_value());
    netkit::framing::line_decoder small(3);
    small.feed("abc\r");  // "\r" may still be followed by "\n"
    BOOST_TEST(!small.next().has_value());
    small.feed("\nabcd");
    BOOST_TEST(small.next().value_or("?") == "abc");
    BOOST_CHECK_THROW(small.next(), netkit::framing::error);
}

BOOST_AUTO_TEST_CASE(lines_survive_every_split_and_drop_cr) {
    const std::string stream = "alice\r\nhello\n\nwith\rinner cr\r\n" + std::string(200, 'y') + "\n";
    const std::vector<std::string> want = {"alice", "hello", "", "with\rinner cr", std::string(200, 'y')};
    for (std::size_t step : {1u, 2u, 5u, 13u, 1000u}) {
        nf::line_decoder d(200);
        BOOST_TEST(decode_in_steps(d, stream, step) == want, "step " << step);
    }
}

BOOST_AUTO_TEST_CASE(overlong_line_is_refused_without_waiting_for_its_end) {
    nf::line_decoder d(8);
    d.feed("12345678");
    BOOST_TEST(!d.next().has_value());  // exactly the limit, no newline yet
    d.feed("\r");
    BOOST_TEST(!d.next().has_value());  // may still be "\r\n"
    d.feed("\n");
    BOOST_TEST(d.next().value() == "12345678");
    d.feed("123456789");
    BOOST_CHECK_THROW(d.next(), nf::error);
    nf::line_decoder e(8);
    e.feed("123456789\n");
    BOOST_CHECK_THROW(e.next(), nf::error);
}

BOOST_AUTO_TEST_CASE(finish_returns_an_unterminated_last_line) {
    nf::line_decoder d(100);
    d.feed("one\ntwo\r");
    BOOST_TEST(d.next().value() == "one");
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.finish().value() == "two");
    BOOST_TEST(!d.finish().has_value());
}

BOOST_AUTO_TEST_CASE(each_read_is_one_message_cut_at_the_limit) {
    nf::per_read_decoder d(4);
    d.feed("anna");
    BOOST_TEST(d.next().value() == "anna");
    BOOST_TEST(!d.next().has_value());
    d.feed("ciao\r\n");  // nc and telnet end what they send with a newline
    BOOST_TEST(d.next().value() == "ciao");
    BOOST_TEST(!d.next().has_value());
    d.feed("\n");  // an empty line is no message
    BOOST_TEST(!d.next().has_value());
    d.feed("abcdefghij\n");  // over the limit: pieces, nothing lost
    BOOST_TEST(d.next().value() == "abcd");
    BOOST_TEST(d.next().value() == "efgh");
    BOOST_TEST(d.next().value() == "ij");
    BOOST_TEST(!d.next().has_value());
    d.feed("a\nb");  // a newline inside stays: the read is the message
    BOOST_TEST(d.next().value() == "a\nb");
}

// WebSocket frames (RFC 6455 section 5).
namespace ws = netkit::framing::websocket;

namespace {

constexpr char rfc_key[] = "\x37\xfa\x21\x3d";  // the masking key of RFC 6455 5.7's examples

std::string bytes(std::initializer_list<unsigned> values) {
    std::string out;
    for (const auto v : values) out.push_back(static_cast<char>(v));
    return out;
}

// A server frame (append_frame's output: FIN, unmasked) as a client sends it: the mask bit set,
// the key after the length, the payload XORed with it.
std::string masked(std::string_view server_frame, std::string_view key = rfc_key) {
    const auto short_length = static_cast<unsigned char>(server_frame[1]) & 0x7f;
    const std::size_t header = 2 + (short_length == 126 ? 2 : short_length == 127 ? 8 : 0);
    std::string out(server_frame.substr(0, header));
    out[1] = static_cast<char>(out[1] | 0x80);
    out.append(key.substr(0, 4));
    const auto payload = server_frame.substr(header);
    for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
    return out;
}

// A masked client frame with its first byte (FIN, RSV, opcode) given, shortest length encoding.
std::string client_frame(unsigned first, std::string_view payload) {
    std::string out = ws::frame(ws::opcode::text, payload);
    out[0] = static_cast<char>(first);
    return masked(out);
}

// Each message as "kind:payload" ("close 1000:reason" for close), and the refusal's close code.
struct decoded {
    std::vector<std::string> messages;
    std::uint16_t refused = 0;
    bool operator==(const decoded&) const = default;
};

std::string show(const ws::message& m) {
    switch (m.kind) {
    case ws::opcode::text: return "text:" + std::string(m.payload);
    case ws::opcode::binary: return "binary:" + std::string(m.payload);
    case ws::opcode::close: return "close " + std::to_string(m.close_code) + ":" + std::string(m.payload);
    case ws::opcode::ping: return "ping:" + std::string(m.payload);
    case ws::opcode::pong: return "pong:" + std::string(m.payload);
    case ws::opcode::continuation: break;
    }
    return "continuation?";
}

decoded ws_decode(std::string_view stream, std::size_t step = std::string_view::npos, std::size_t max = 1 << 20) {
    decoded out;
    ws::client_frame_decoder d(max);
    try {
        for (std::size_t i = 0; i < stream.size(); i += std::min(step, stream.size())) {
            d.feed(stream.substr(i, step));
            while (const auto m = d.next()) out.messages.push_back(show(*m));
        }
    } catch (const ws::error& e) {
        out.refused = e.close_code;
    }
    return out;
}

std::uint16_t refusal(std::string_view stream, std::size_t max = 1 << 20) { return ws_decode(stream, 1, max).refused; }

}  // namespace

BOOST_AUTO_TEST_CASE(websocket_rfc_6455_examples) {
    // 5.7: a single-frame masked text message, and the same frame unmasked (a server's: refused).
    BOOST_TEST(ws_decode(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})).messages ==
               std::vector<std::string>{"text:Hello"});
    BOOST_TEST(refusal(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})) == ws::close_protocol_error);
    // 5.7: a fragmented unmasked text message ("Hel", then "lo"), as a client masks it.
    const auto fragmented = client_frame(0x01, "Hel") + client_frame(0x80, "lo");
    BOOST_TEST(ws_decode(fragmented).messages == std::vector<std::string>{"text:Hello"});
    // 5.7: a ping (masked here) and the masked pong answering it.
    BOOST_TEST(ws_decode(masked(bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}))).messages ==
               std::vector<std::string>{"ping:Hello"});
    BOOST_TEST(ws_decode(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})).messages ==
               std::vector<std::string>{"pong:Hello"});
    // 5.7: 256 bytes of binary data in one frame (16-bit length), 64 KiB (64-bit length).
    const std::string small(256, 'a'), large(65536, 'b');
    BOOST_TEST(ws::frame(ws::opcode::binary, small).substr(0, 4) == bytes({0x82, 0x7e, 0x01, 0x00}));
    BOOST_TEST(ws::frame(ws::opcode::binary, large).substr(0, 10) ==
               bytes({0x82, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
    BOOST_TEST(ws_decode(masked(ws::frame(ws::opcode::binary, small))).messages ==
               std::vector<std::string>{"binary:" + small});
    BOOST_TEST(ws_decode(masked(ws::frame(ws::opcode::binary, large))).messages ==
               std::vector<std::string>{"binary:" + large});
}

BOOST_AUTO_TEST_CASE(websocket_refusals_carry_their_close_code) {
    BOOST_TEST(refusal(bytes({0x81, 0x00})) == ws::close_protocol_error);  // unmasked, empty
    for (const unsigned rsv : {0x10u, 0x20u, 0x40u})
        BOOST_TEST(refusal(client_frame(0x81 | rsv, "x")) == ws::close_protocol_error, "RSV " << rsv);
    for (const unsigned op : {3u, 4u, 5u, 6u, 7u, 11u, 12u, 13u, 14u, 15u})
        BOOST_TEST(refusal(client_frame(0x80 | op, "x")) == ws::close_protocol_error, "opcode " << op);
    // 64-bit length with its top bit set; lengths that fit a shorter encoding.
    BOOST_TEST(refusal(bytes({0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0x01, 0x37, 0xfa, 0x21, 0x3d})) ==
               ws::close_protocol_error);
    BOOST_TEST(refusal(bytes({0x82, 0xfe, 0x00, 0x7d, 0x37, 0xfa, 0x21, 0x3d}) + std::string(125, 'x')) ==
               ws::close_protocol_error);
    BOOST_TEST(refusal(bytes({0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x37, 0xfa, 0x21, 0x3d}) +
                       std::string(65535, 'x')) == ws::close_protocol_error);
    // Control frames: FIN set, at most 125 bytes.
    BOOST_TEST(refusal(client_frame(0x09, "p")) == ws::close_protocol_error);
    BOOST_TEST(refusal(client_frame(0x89, std::string(126, 'p'))) == ws::close_protocol_error);
    BOOST_TEST(refusal(client_frame(0x88, "\x03\xe8" + std::string(124, 'r'))) == ws::close_protocol_error);
    BOOST_TEST(ws_decode(client_frame(0x89, std::string(125, 'p'))).refused == 0);
    // Continuations out of place.
    BOOST_TEST(refusal(client_frame(0x80, "lo")) == ws::close_protocol_error);
    BOOST_TEST(refusal(client_frame(0x01, "Hel") + client_frame(0x81, "lo")) == ws::close_protocol_error);
    BOOST_TEST(refusal(client_frame(0x01, "Hel") + client_frame(0x02, "lo")) == ws::close_protocol_error);
    BOOST_TEST(refusal(client_frame(0x81, "Hello") + client_frame(0x00, "!")) == ws::close_protocol_error);
    // Too big: one frame, or the sum of the fragments.
    BOOST_TEST(refusal(client_frame(0x81, std::string(11, 'x')), 10) == ws::close_too_big);
    BOOST_TEST(refusal(client_frame(0x01, std::string(6, 'x')) + client_frame(0x80, std::string(5, 'x')), 10) ==
               ws::close_too_big);
    BOOST_TEST(ws_decode(client_frame(0x01, std::string(6, 'x')) + client_frame(0x80, std::string(4, 'x')), 1, 10)
                   .messages == std::vector<std::string>{"text:xxxxxxxxxx"});
    // The error says what was wrong.
    try {
        ws::client_frame_decoder d(10);
        d.feed(bytes({0x81, 0x00}));
        d.next();
        BOOST_FAIL("an unmasked frame was accepted");
    } catch (const ws::error& e) {
        BOOST_TEST(std::string(e.what()).find("mask") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(websocket_control_frames_between_fragments_come_at_once) {
    const auto stream = client_frame(0x01, "Hel") + client_frame(0x89, "p1") + client_frame(0x00, "lo") +
                        client_frame(0x8a, "") + client_frame(0x80, "!") + client_frame(0x82, "next");
    const std::vector<std::string> expected = {"ping:p1", "pong:", "text:Hello!", "binary:next"};
    BOOST_TEST(ws_decode(stream).messages == expected, boost::test_tools::per_element());
    // The ping is returned before the message's last fragment has arrived.
    ws::client_frame_decoder d(100);
    d.feed(client_frame(0x01, "Hel") + client_frame(0x89, "p1"));
    const auto ping = d.next();
    BOOST_TEST_REQUIRE(ping.has_value());
    BOOST_TEST(show(*ping) == "ping:p1");
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.buffered() == 3u);  // "Hel", waiting for the rest of its message
}

BOOST_AUTO_TEST_CASE(websocket_results_do_not_depend_on_the_cut) {
    std::string stream = client_frame(0x81, "Hello") + client_frame(0x02, std::string(300, 'b')) +
                         client_frame(0x89, "ping") + client_frame(0x80, std::string(70000, 'c')) +
                         client_frame(0x88, "\x03\xe8" "bye") + client_frame(0x81, "");
    for (int i = 0; i < 50; ++i) stream += client_frame(0x81, "burst " + std::to_string(i));
    const auto whole = ws_decode(stream);
    BOOST_TEST(whole.messages.size() == 55u);  // the binary message is two fragments
    BOOST_TEST(whole.refused == 0);
    for (const std::size_t step : {1u, 2u, 3u, 7u, 13u, 64u, 1000u, 65536u})
        BOOST_TEST((ws_decode(stream, step) == whole), "step " << step);
    // A refusal after some messages: the same messages, then the same code, however cut.
    const auto broken = stream + client_frame(0x83, "?");
    const auto reference = ws_decode(broken);
    BOOST_TEST(reference.refused == ws::close_protocol_error);
    BOOST_TEST(reference.messages == whole.messages);
    for (const std::size_t step : {1u, 5u, 100u}) BOOST_TEST((ws_decode(broken, step) == reference), "step " << step);
}

BOOST_AUTO_TEST_CASE(websocket_too_big_is_refused_on_the_header) {
    for (const auto& header : {bytes({0x81, 0x80 | 101}), bytes({0x82, 0xfe, 0x01, 0x00}),
                               bytes({0x82, 0xff, 0, 0, 0, 0, 0, 0x01, 0, 0})}) {
        ws::client_frame_decoder d(100);
        d.feed(header);  // no mask, no payload yet
        try {
            d.next();
            BOOST_FAIL("an over-long frame header was not refused");
        } catch (const ws::error& e) {
            BOOST_TEST(e.close_code == ws::close_too_big);
        }
    }
    // A continuation whose header takes the message over the limit, its payload not yet sent.
    ws::client_frame_decoder d(100);
    d.feed(client_frame(0x01, std::string(60, 'x')));
    BOOST_TEST(!d.next().has_value());
    d.feed(bytes({0x80, 0x80 | 41}));
    BOOST_CHECK_THROW(d.next(), ws::error);
    // At the limit: waits for the payload.
    ws::client_frame_decoder at(100);
    at.feed(bytes({0x81, 0x80 | 100}));
    BOOST_TEST(!at.next().has_value());
    // An empty frame whose mask key has not arrived waits for it too.
    ws::client_frame_decoder empty(100);
    empty.feed(bytes({0x81, 0x80, 0x37, 0xfa}));
    BOOST_TEST(!empty.next().has_value());
    BOOST_TEST(empty.buffered() == 4u);
    empty.feed(bytes({0x21, 0x3d}));
    BOOST_TEST(show(empty.next().value()) == "text:");
}

BOOST_AUTO_TEST_CASE(websocket_buffers_are_given_back_after_draining) {
    ws::client_frame_decoder d(1 << 20);
    d.feed(client_frame(0x82, std::string(65536, 'x')));
    BOOST_TEST(d.capacity() >= 65536u);
    BOOST_TEST(d.next().has_value());
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.buffered() == 0u);
    BOOST_TEST(d.capacity() <= 1024u);
    // A fragmented message: the joining buffer is given back too.
    d.feed(client_frame(0x02, std::string(40000, 'a')) + client_frame(0x80, std::string(40000, 'b')));
    const auto joined = d.next();
    BOOST_TEST_REQUIRE(joined.has_value());
    BOOST_TEST(joined->payload.size() == 80000u);
    BOOST_TEST(d.buffered() == 0u);
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.capacity() <= 1024u);
    // A message begun with an empty fragment holds nothing: the last joined message's buffer goes.
    d.feed(client_frame(0x02, std::string(40000, 'a')) + client_frame(0x80, "b") + client_frame(0x01, ""));
    BOOST_TEST(d.next().value().payload.size() == 40001u);
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.buffered() == 0u);
    BOOST_TEST(d.capacity() <= 1024u);
    d.feed(client_frame(0x80, "end"));
    BOOST_TEST(show(d.next().value()) == "text:end");
    // The two buffers count together: a joined message's, then a read of small messages, each under
    // 1 KiB (fuzz/regressions/websocket_frames/two_buffers_over_1kib_together).
    d.feed(client_frame(0x01, std::string(300, 'a')) + client_frame(0x80, std::string(300, 'b')));
    BOOST_TEST(d.next().value().payload.size() == 600u);
    BOOST_TEST(!d.next().has_value());
    std::string small_ones;
    for (int i = 0; i < 5; ++i) small_ones += client_frame(0x81, std::string(94, 's'));
    d.feed(small_ones);
    for (int i = 0; i < 5; ++i) BOOST_TEST(d.next().has_value());
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.capacity() <= 1024u);
    // A partial frame is held, and counted.
    const auto half = client_frame(0x81, std::string(3000, 'h'));
    d.feed(std::string_view(half).substr(0, 2000));
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.buffered() == 2000u);
    d.feed(std::string_view(half).substr(2000));
    BOOST_TEST(d.next().value().payload == std::string(3000, 'h'));
    BOOST_TEST(!d.next().has_value());
    BOOST_TEST(d.capacity() <= 1024u);
}

// Messages that one feed() holds are unmasked where feed() copied them: one buffer, no copy each.
BOOST_AUTO_TEST_CASE(websocket_messages_of_one_feed_are_unmasked_in_place) {
    std::string stream;
    for (int i = 0; i < 20; ++i) stream += client_frame(0x81, std::string(100, static_cast<char>('a' + i)));
    ws::client_frame_decoder d(1000);
    d.feed(stream);
    const char* first = nullptr;
    for (int i = 0; i < 20; ++i) {
        const auto m = d.next();
        BOOST_TEST_REQUIRE(m.has_value());
        BOOST_TEST(m->payload == std::string(100, static_cast<char>('a' + i)));
        if (!first) first = m->payload.data();
        BOOST_TEST(m->payload.data() == first + i * 106, "message " << i);  // 2 + 4 header bytes each
    }
}

BOOST_AUTO_TEST_CASE(websocket_close_payloads) {
    BOOST_TEST(ws_decode(client_frame(0x88, "")).messages == std::vector<std::string>{"close 0:"});
    BOOST_TEST(ws_decode(client_frame(0x88, "\x03\xe8")).messages == std::vector<std::string>{"close 1000:"});
    BOOST_TEST(ws_decode(client_frame(0x88, "\x03\xe9going")).messages ==
               std::vector<std::string>{"close 1001:going"});
    BOOST_TEST(refusal(client_frame(0x88, "\x03")) == ws::close_protocol_error);
    for (const unsigned code : {0u, 999u, 1004u, 1005u, 1006u, 1015u, 1016u, 2999u, 5000u, 65535u}) {
        const auto payload = bytes({code >> 8, code & 0xff});
        BOOST_TEST(refusal(client_frame(0x88, payload)) == ws::close_protocol_error, "code " << code);
    }
    for (const unsigned code : {1000u, 1003u, 1007u, 1014u, 3000u, 4999u}) {
        const auto payload = bytes({code >> 8, code & 0xff});
        BOOST_TEST(ws_decode(client_frame(0x88, payload)).messages ==
                       std::vector<std::string>{"close " + std::to_string(code) + ":"},
                   "code " << code);
    }
}

BOOST_AUTO_TEST_CASE(websocket_server_frames_in_three_size_classes_decode_back) {
    for (const std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
        const std::string payload(n, 'p');
        const std::size_t header = n < 126 ? 2 : n <= 65535 ? 4 : 10;
        std::string out = "prefix";
        ws::append_frame(out, ws::opcode::text, payload);
        BOOST_TEST(out.size() == 6 + header + n, "size " << n);
        BOOST_TEST(out.substr(6) == ws::frame(ws::opcode::text, payload));
        BOOST_TEST(static_cast<unsigned char>(out[6]) == 0x81u);
        BOOST_TEST(ws_decode(masked(out.substr(6)), 1000).messages == std::vector<std::string>{"text:" + payload},
                   "size " << n);
    }
    BOOST_TEST(ws::close_frame(ws::close_normal, "bye") == bytes({0x88, 0x05, 0x03, 0xe8, 'b', 'y', 'e'}));
    BOOST_TEST(ws::close_frame(ws::close_going_away) == bytes({0x88, 0x02, 0x03, 0xe9}));
    // A long reason is cut to the 125-byte control payload, not inside a UTF-8 character.
    const auto cut = ws::close_frame(ws::close_policy, std::string(200, 'r'));
    BOOST_TEST(cut.size() == 2u + 125u);
    BOOST_TEST(ws_decode(masked(cut)).messages == std::vector<std::string>{"close 1008:" + std::string(123, 'r')});
    std::string accented = std::string(122, 'r') + "\xc3\xa8" "tail";  // "è" would straddle byte 123
    BOOST_TEST(ws_decode(masked(ws::close_frame(ws::close_policy, accented))).messages ==
               std::vector<std::string>{"close 1008:" + std::string(122, 'r')});
}

BOOST_AUTO_TEST_SUITE_END()
