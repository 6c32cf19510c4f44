// The HTTP unit's request handling without a socket (netkit::http::request_reader): pipelined requests
// answered in order, partial requests waiting for more, the limits' answers (431, 413, 405, 404,
// 400) and what a request cut short by the end of the stream gets. The session on a real socket
// is tested end to end in the metrics suite.
#include <netkit/http/request_reader.hpp>

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

BOOST_AUTO_TEST_SUITE_END()
