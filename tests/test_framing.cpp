// The pure codecs: length-header frames (lesson 003), lines (lesson 004) and the report's one
// message per read, fed in every split.
#include <netkit/framing/length_header.hpp>
#include <netkit/framing/lines.hpp>
#include <netkit/framing/per_read.hpp>

#include <boost/test/unit_test.hpp>

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

BOOST_AUTO_TEST_SUITE_END()
