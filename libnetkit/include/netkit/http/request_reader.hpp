// The socket-free half of the HTTP server: the bytes a connection receives go in, the answers to its
// requests come out, in order. The session reads into prepare(), commit()s what it got, then takes
// next() answers until there are none; unit tests and the fuzzer feed it the same way, no socket.
//
// Each request is a header read by Beast's parser, at most `max_header_bytes` from the request
// line to the blank line (431 beyond), with no body (413), GET only (405), a routed path (404
// otherwise) and well formed (400). On an upgrade path (router::upgrade) a GET must be a WebSocket
// upgrade (426 otherwise) from an allowed origin (403 otherwise, see allowed_origin()); an accepted
// one is handed over (reply::handover) and the reader answers nothing more. The reader keeps a request's bytes until its header is whole,
// in a buffer of `max_header_bytes`: prepare() offers only the room left, so a client can never
// make the server hold more than one header. The answers do not depend on how TCP cut the bytes.
#pragma once

#include <netkit/http/router.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace netkit::http {

using request_header = boost::beast::http::request<boost::beast::http::empty_body>;

// An answer, and whether the connection goes on after it: only when the request asked for that
// (HTTP/1.1 by default, HTTP/1.0 with Connection: keep-alive) and broke no rule.
struct reply {
    response answer;
    bool keep_alive = false;
    // An accepted upgrade: instead of `answer`, the connection goes to `target` with the request.
    struct upgrade {
        upgrade_target* target;
        request_header request;
        // Bytes the client sent after the request, read with it: the upgraded protocol's first.
        std::string early;
    };
    std::optional<upgrade> handover{};
};

// Whether a browser's WebSocket upgrade may come from `origin`: no Origin field at all (not a
// browser: the cross-site attack this stops needs a victim's browser), the page's own origin
// (`scheme` + "://" + the request's Host), or one of `allowed`. ASCII case-insensitive.
bool allowed_origin(const request_header& request, const std::vector<std::string>& allowed,
                    std::string_view scheme = "http");

class request_reader {
public:
    // `routes` must outlive the reader.
    request_reader(const router& routes, std::size_t max_header_bytes);

    // Room for the next read: at most the header limit minus what is buffered (1 KiB at first,
    // then as much as is buffered), never empty while the connection goes on (a full buffer is
    // answered by next()).
    boost::asio::mutable_buffer prepare();
    void commit(std::size_t n);

    // The answer to the next complete request, or nothing when it needs more bytes (or the
    // connection is over: after an answer without keep-alive nothing more is answered).
    std::optional<reply> next();

    // The peer has closed its side (call once next() has nothing more): a request it cut short is
    // answered, 400; nothing otherwise.
    std::optional<reply> finish();

    std::size_t buffered() const { return buffer_.size(); }

private:
    using parser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

    // Parses the buffered header from its first byte with a new parser; consumes it when whole.
    std::optional<reply> parse(bool at_end);
    reply answer(const parser& request, boost::beast::error_code ec);

    const router& routes_;
    const std::size_t max_header_bytes_;
    boost::beast::flat_buffer buffer_;
    std::size_t examined_ = 0;  // bytes of the buffered request already searched for its end
    bool closed_ = false;       // an answer ended the connection
};

}  // namespace netkit::http
