// The HTTP unit's request handling without a socket (netkit::http::request_reader): pipelined requests
// answered in order, partial requests waiting for more, the limits' answers (431, 413, 405, 404,
// 400) and what a request cut short by the end of the stream gets. The session on a real socket
// is tested end to end in the metrics suite.
#include <netkit/http/request_reader.hpp>
#include <netkit/http/websocket_handshake.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>


namespace {

struct fixture {
    netkit::http::router routes;
    fixture() {
        routes.get("/a", [] { return netkit::http::response{200, "text/plain", "A"}; });
        routes.get("/b", [] { return netkit::http::response{200, "text/plain", "B"}; });
    }
};

// Gives `bytes` to the reader as the session would (at most the room it offers per read, and at
// most `piece` bytes) and collects every answer until one closes the connection.
std::vector<netkit::http::reply> feed(netkit::http::request_reader& reader, std::string_view bytes,
                              std::size_t piece = std::string_view::npos) {
    std::vector<netkit::http::reply> out;
    while (!bytes.empty()) {
        const auto room = reader.prepare();
        BOOST_REQUIRE(room.size() > 0);
        const auto n = std::min({room.size(), bytes.size(), piece});
        std::memcpy(room.data(), bytes.data(), n);
        reader.commit(n);
        bytes.remove_prefix(n);
        while (auto reply = reader.next()) {
            out.push_back(std::move(*reply));
            if (!out.back().keep_alive) return out;
        }
    }
    return out;
}

std::vector<unsigned> statuses(const std::vector<netkit::http::reply>& replies) {
    std::vector<unsigned> out;
    for (const auto& r : replies) out.push_back(r.answer.status);
    return out;
}

using codes = std::vector<unsigned>;

// A whole connection: the bytes in pieces of `piece`, then the end of the stream. Returns each
// answer as "status body".
std::vector<std::string> connection(const netkit::http::router& routes, std::size_t limit, std::string_view bytes,
                                    std::size_t piece) {
    netkit::http::request_reader reader(routes, limit);
    auto replies = feed(reader, bytes, piece);
    if (replies.empty() || replies.back().keep_alive) {
        if (auto last = reader.finish()) replies.push_back(std::move(*last));
    }
    std::vector<std::string> out;
    for (const auto& r : replies) out.push_back(std::to_string(r.answer.status) + " " + r.answer.body);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http)

BOOST_FIXTURE_TEST_CASE(pipelined_requests_are_answered_in_order, fixture) {
    netkit::http::request_reader reader(routes, 8192);
    const auto replies = feed(reader,
                              "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"
                              "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                              "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                              "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");  // after the close: never answered
    BOOST_TEST(statuses(replies) == (codes{200, 200, 404, 405, 200}), boost::test_tools::per_element());
    BOOST_REQUIRE(replies.size() == 5u);
    BOOST_TEST(replies[0].answer.body == "B");
    BOOST_TEST(replies[1].answer.body == "A");
    BOOST_TEST(replies[0].keep_alive);
    BOOST_TEST(replies[3].keep_alive);  // a refused method does not end the connection
    BOOST_TEST(!replies[4].keep_alive);
    BOOST_TEST(!reader.next());
    BOOST_TEST(!reader.finish());
}

BOOST_FIXTURE_TEST_CASE(a_partial_request_needs_more_bytes, fixture) {
    netkit::http::request_reader reader(routes, 8192);
    BOOST_TEST(feed(reader, "GET /a HT").empty());
    BOOST_TEST(feed(reader, "TP/1.1\r\nHost: x\r\n").empty());
    BOOST_TEST(reader.buffered() > 0u);
    const auto replies = feed(reader, "\r\n");
    BOOST_TEST(statuses(replies) == codes{200}, boost::test_tools::per_element());
    BOOST_TEST(reader.buffered() == 0u);
    BOOST_TEST(!reader.finish());  // the stream ends between requests: nothing to answer
}

BOOST_FIXTURE_TEST_CASE(a_request_cut_short_by_the_end_of_stream_is_400, fixture) {
    netkit::http::request_reader reader(routes, 8192);
    BOOST_TEST(feed(reader, "GET /a HTTP/1.1\r\nHost:").empty());
    const auto last = reader.finish();
    BOOST_REQUIRE(last.has_value());
    BOOST_TEST(last->answer.status == 400u);
    BOOST_TEST(last->answer.body.find("partial message") != std::string::npos);
    BOOST_TEST(!last->keep_alive);
}

BOOST_FIXTURE_TEST_CASE(http_1_0_closes_unless_asked_to_keep_alive, fixture) {
    netkit::http::request_reader closing(routes, 8192);
    const auto once = feed(closing, "GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
    BOOST_TEST(statuses(once) == codes{200}, boost::test_tools::per_element());
    netkit::http::request_reader kept(routes, 8192);
    const auto twice = feed(kept, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
    BOOST_TEST(statuses(twice) == (codes{200, 200}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(oversized_headers_are_431_and_never_buffered_whole, fixture) {
    const std::size_t limit = 256;
    netkit::http::request_reader reader(routes, limit);
    const std::string request = "GET /a HTTP/1.1\r\nX-Big: " + std::string(1000, 'a') + "\r\n\r\n";
    std::vector<netkit::http::reply> replies;
    // By hand, to watch the buffer between reads.
    std::string_view rest = request;
    while (!rest.empty() && replies.empty()) {
        const auto room = reader.prepare();
        BOOST_REQUIRE(room.size() > 0u);
        const auto n = std::min<std::size_t>({room.size(), rest.size(), 100});
        std::memcpy(room.data(), rest.data(), n);
        reader.commit(n);
        rest.remove_prefix(n);
        BOOST_TEST(reader.buffered() <= limit);
        if (auto reply = reader.next()) replies.push_back(std::move(*reply));
    }
    BOOST_TEST(statuses(replies) == codes{431}, boost::test_tools::per_element());
    BOOST_TEST(!replies.at(0).keep_alive);
    BOOST_TEST(rest.size() > 0u);  // refused before the client finished sending

    // Just under the limit is served.
    netkit::http::request_reader fits(routes, limit);
    const std::string small = "GET /a HTTP/1.1\r\nX-Big: " + std::string(200, 'a') + "\r\n\r\n";
    BOOST_TEST(statuses(feed(fits, small)) == codes{200}, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(bodies_are_413_and_end_the_connection, fixture) {
    for (const char* request : {"GET /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
                                "GET /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"}) {
        netkit::http::request_reader reader(routes, 8192);
        const auto replies = feed(reader, std::string(request) + "GET /b HTTP/1.1\r\n\r\n");
        BOOST_TEST(statuses(replies) == codes{413}, boost::test_tools::per_element());
        BOOST_TEST(!replies.at(0).keep_alive);
        BOOST_TEST(!reader.next());
    }
    // An empty body is no body.
    netkit::http::request_reader reader(routes, 8192);
    BOOST_TEST(statuses(feed(reader, "GET /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n")) == codes{200},
               boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(malformed_requests_are_400_and_end_the_connection, fixture) {
    for (const char* request : {"GARBAGE\r\n\r\n", "GET /a HTTP/2.0\r\n\r\n", "GET /a HTTP/1.1\r\nNo colon\r\n\r\n",
                                "\x16\x03\x01\x02"}) {
        netkit::http::request_reader reader(routes, 8192);
        const auto replies = feed(reader, std::string(request) + "GET /a HTTP/1.1\r\n\r\n");
        BOOST_TEST(statuses(replies) == codes{400}, boost::test_tools::per_element());
        BOOST_TEST(!replies.at(0).keep_alive);
        BOOST_TEST(replies.at(0).answer.body.starts_with("malformed request: "));
    }
}

BOOST_FIXTURE_TEST_CASE(answers_do_not_depend_on_how_the_bytes_are_cut, fixture) {
    // Each was answered differently whole and byte by byte when Beast's parser kept its state
    // between reads (fuzz/regressions/http_request/): "bad version" against "partial message",
    // "bad field" against 431.
    const std::string big(300, 'a');
    for (const std::string& request : {std::string("GET /a HTTP/1.1\x1f\nHo"),
                                      std::string("GET /a HTTP/1.1\r\nHost: x\r\n\x01X: y\r\n"),
                                      "GET /a HTTP/1.1\r\nHost: x\r\n\x01X: " + big + "\r\n\r\n",
                                      std::string("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\x01X: y\r\n")}) {
        const auto whole = connection(routes, 256, request, std::string_view::npos);
        BOOST_TEST(!whole.empty());
        BOOST_TEST(whole.back().starts_with("400 malformed request: "), whole.back());
        for (const std::size_t piece : {1, 2, 7, 100}) {
            BOOST_TEST(connection(routes, 256, request, piece) == whole, boost::test_tools::per_element());
        }
    }
}

BOOST_FIXTURE_TEST_CASE(the_limit_counts_the_request_line_and_the_fields_together, fixture) {
    // 150 bytes of line and 150 of fields: each under 256, together over it.
    const std::string request =
        "GET /a?" + std::string(130, 'q') + " HTTP/1.1\r\nX-Big: " + std::string(140, 'a') + "\r\n\r\n";
    for (const std::size_t piece : {1, 100, 1000}) {
        const auto answers = connection(routes, 256, request, piece);
        BOOST_REQUIRE(answers.size() == 1u);
        BOOST_TEST(answers[0].starts_with("431 "), answers[0]);
    }
    BOOST_TEST(connection(routes, 512, request, 100).at(0).starts_with("200 "));
}

BOOST_FIXTURE_TEST_CASE(a_transfer_coding_other_than_chunked_is_400_and_closes, fixture) {
    // Beast takes such a request as bodiless; answering it and reading on would read its body as
    // the next request (fuzz/regressions/http_request/transfer_encoding_not_chunked).
    netkit::http::request_reader reader(routes, 8192);
    const auto replies = feed(reader, "GET /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    BOOST_TEST(statuses(replies) == codes{400}, boost::test_tools::per_element());
    BOOST_TEST(!replies.at(0).keep_alive);
}

// The WebSocket opening handshake's answer (RFC 6455 4.2.2).
namespace {

netkit::http::request_header upgrade_request(std::string_view key, std::string_view version = "13") {
    namespace bh = boost::beast::http;
    netkit::http::request_header request{bh::verb::get, "/chat", 11};
    request.set(bh::field::host, "127.0.0.1");
    request.set(bh::field::upgrade, "websocket");
    request.set(bh::field::connection, "Upgrade");
    if (!key.empty()) request.set(bh::field::sec_websocket_key, key);
    request.set(bh::field::sec_websocket_version, version);
    request.set(bh::field::sec_websocket_extensions, "permessage-deflate; client_max_window_bits");
    return request;
}

bool has(const std::string& answer, std::string_view text) { return answer.find(text) != std::string::npos; }

}  // namespace

// RFC 6455 1.3 (the SHA-1 is 20 bytes: 28 base64 characters).
BOOST_AUTO_TEST_CASE(websocket_accept_key_is_the_rfc_example) {
    BOOST_TEST(netkit::http::websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

BOOST_AUTO_TEST_CASE(websocket_upgrade_is_answered_101) {
    const auto answer = netkit::http::answer_websocket_upgrade(upgrade_request("dGhlIHNhbXBsZSBub25jZQ=="));
    BOOST_TEST(answer.accepted);
    const auto& bytes = answer.bytes;
    BOOST_TEST(bytes.starts_with("HTTP/1.1 101 Switching Protocols\r\n"), bytes);
    BOOST_TEST(has(bytes, "\r\nUpgrade: websocket\r\n"), bytes);
    BOOST_TEST(has(bytes, "\r\nConnection: Upgrade\r\n"), bytes);
    BOOST_TEST(has(bytes, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), bytes);
    BOOST_TEST(has(bytes, "\r\nServer: netkit\r\n"), bytes);
    BOOST_TEST(!has(bytes, "Sec-WebSocket-Extensions"), bytes);  // permessage-deflate declined
    BOOST_TEST(!has(bytes, "Sec-WebSocket-Protocol"), bytes);
    BOOST_TEST(bytes.ends_with("\r\n\r\n"));
    BOOST_TEST(bytes.find("\r\n\r\n") == bytes.size() - 4);  // no body
}

BOOST_AUTO_TEST_CASE(websocket_upgrade_of_another_version_is_426) {
    for (const std::string_view version : {"8", "", "13, 8", "14"}) {
        const auto answer = netkit::http::answer_websocket_upgrade(upgrade_request("dGhlIHNhbXBsZSBub25jZQ==", version));
        BOOST_TEST(!answer.accepted);
        BOOST_TEST(answer.bytes.starts_with("HTTP/1.1 426 Upgrade Required\r\n"), answer.bytes);
        BOOST_TEST(has(answer.bytes, "\r\nSec-WebSocket-Version: 13\r\n"), answer.bytes);
        BOOST_TEST(has(answer.bytes, "\r\nConnection: close\r\n"), answer.bytes);
        BOOST_TEST(has(answer.bytes, "\r\nContent-Type: text/plain"), answer.bytes);
    }
}

BOOST_AUTO_TEST_CASE(websocket_upgrade_without_a_good_key_is_400) {
    // Missing, too short, 17 bytes, a non-base64 character, 24 characters without the padding.
    for (const std::string_view key : {"", "dGhlIHNhbXBsZQ==", "dGhlIHNhbXBsZSBub25jZTE=", "dGhlIHNhbXBsZSBub25jZ*==",
                                       "dGhlIHNhbXBsZSBub25jZQAA", "dGhlIHNhbXBsZSBub25jZQ==x"}) {
        const auto answer = netkit::http::answer_websocket_upgrade(upgrade_request(key));
        BOOST_TEST(!answer.accepted, "key " << key);
        BOOST_TEST(answer.bytes.starts_with("HTTP/1.1 400 Bad Request\r\n"), answer.bytes);
        BOOST_TEST(has(answer.bytes, "\r\nConnection: close\r\n"), answer.bytes);
        const auto body_at = answer.bytes.find("\r\n\r\n") + 4;
        const auto body = answer.bytes.substr(body_at);
        BOOST_TEST(has(body, "Sec-WebSocket-Key"), body);
        BOOST_TEST(has(answer.bytes, "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"), answer.bytes);
    }
}

BOOST_AUTO_TEST_SUITE_END()
