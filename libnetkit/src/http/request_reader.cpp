#include <netkit/http/request_reader.hpp>

#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace netkit::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t initial_room = 1024;

response error_page(unsigned status, std::string text) { return {status, "text/plain; charset=utf-8", text + "\n"}; }

bool iequals(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

bool allowed_origin(const request_header& request, const std::vector<std::string>& allowed, std::string_view scheme) {
    const auto origin = request.find(bhttp::field::origin);
    if (origin == request.end()) return true;
    const std::string_view value = origin->value();
    const std::string_view host = request[bhttp::field::host];
    if (!host.empty() && iequals(value, std::string(scheme) + "://" + std::string(host))) return true;
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return iequals(value, a); });
}

request_reader::request_reader(const router& routes, std::size_t max_header_bytes)
    : routes_(routes),
      max_header_bytes_(max_header_bytes),
      // At least one byte of room: with none, a zero limit would never read, so never answer.
      buffer_(std::max<std::size_t>(max_header_bytes, 1)) {}

boost::asio::mutable_buffer request_reader::prepare() {
    // Most requests fit in 1 KiB: the buffer starts there and doubles up to the limit, so a
    // connection does not hold the whole limit (and, freed after an upgrade, does not leave an
    // 8 KiB hole in the heap per WebSocket client).
    const std::size_t room = buffer_.max_size() - buffer_.size();
    const std::size_t step = std::max<std::size_t>(initial_room, buffer_.size());
    return buffer_.prepare(std::min(room, step));
}

void request_reader::commit(std::size_t n) { buffer_.commit(n); }

std::optional<reply> request_reader::next() {
    if (closed_ || buffer_.size() == 0) return std::nullopt;
    // Beast's parser, fed a header in pieces, takes what is whole (the request line, each field)
    // and then waits for the header's end before it looks again, so a malformed byte would be
    // refused at once or only at the end of the header, the stream or the buffer (400 or 431)
    // depending on how TCP cut the bytes. So a request is parsed whole, from its first byte, each
    // time: when its first bytes arrive (garbage is refused at once), once its header has ended,
    // when it fills the buffer, and at the end of the stream. The answer is then the one the whole
    // bytes give, and a slow sender costs a few parses per request, not one per read.
    const std::string_view bytes(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    const bool first_look = examined_ == 0;
    const bool ended = bytes.find("\r\n\r\n", examined_ < 3 ? 0 : examined_ - 3) != std::string_view::npos;
    examined_ = bytes.size();
    if (!first_look && !ended && bytes.size() < buffer_.max_size()) return std::nullopt;
    return parse(false);
}

std::optional<reply> request_reader::finish() {
    // Only the bytes of a request under way are ever kept: none means a clean close.
    if (closed_ || buffer_.size() == 0) return std::nullopt;
    return parse(true);
}

std::optional<reply> request_reader::parse(bool at_end) {
    parser request;
    request.header_limit(static_cast<std::uint32_t>(max_header_bytes_));
    boost::beast::error_code ec;
    const auto used = request.put(buffer_.data(), ec);
    if (ec == bhttp::error::need_more) {
        if (at_end) {
            request.put_eof(ec);  // "partial message"
        } else if (buffer_.size() < buffer_.max_size()) {
            return std::nullopt;
        } else {
            ec = bhttp::error::buffer_overflow;  // the header does not fit in the limit
        }
    }
    buffer_.consume(used);
    examined_ = 0;
    auto out = answer(request, ec);
    if (out.handover) {
        // What followed the upgrade request is no longer HTTP: it goes with the connection.
        out.handover->early.assign(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        buffer_.consume(buffer_.size());
    }
    return out;
}

reply request_reader::answer(const parser& parsed, boost::beast::error_code ec) {
    reply out;
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
        out.answer = error_page(431, "request headers larger than " + std::to_string(max_header_bytes_) + " bytes");
    } else if (ec) {
        out.answer = error_page(400, "malformed request: " + ec.message());
    } else if (!parsed.is_done()) {
        // A body is never expected: rather than read and discard one, refuse and close.
        out.answer = error_page(413, "requests carry no body here");
    } else if (parsed.get().count(bhttp::field::transfer_encoding) != 0) {
        // Beast reads a request whose last transfer coding is not chunked as having no body, yet
        // its length cannot be known: RFC 9112 (6.3) requires a 400 and a close, or what follows
        // would be read as the next request.
        out.answer = error_page(400, "malformed request: a transfer coding other than chunked");
    } else {
        const auto& request = parsed.get();
        out.keep_alive = request.keep_alive();
        if (request.method() != bhttp::verb::get) {
            out.answer = error_page(405, "only GET is served here");
        } else if (const upgrade_route* up = routes_.find_upgrade(request.target())) {
            if (!boost::beast::websocket::is_upgrade(request)) {
                out.answer = error_page(426, "this path takes WebSocket connections only");
                out.answer.headers.emplace_back("Upgrade", "websocket");
            } else if (!allowed_origin(request, up->allowed_origins, up->scheme)) {
                // A page from elsewhere must not use the visitor's browser to join the chat.
                out.answer = error_page(403, "WebSocket connections from this origin are not allowed");
            } else {
                out.handover = reply::upgrade{up->target.get(), request};
                out.keep_alive = false;  // the connection is no longer HTTP's
            }
        } else if (const handler* h = routes_.find(request.target())) {
            out.answer = (*h)();
        } else {
            out.answer = error_page(404, "no such path");
        }
    }
    closed_ = !out.keep_alive;
    return out;
}

}  // namespace netkit::http
