// http::request_reader (the HTTP server's request handling: Beast's parser, the router, the limits)
// on arbitrary bytes arriving in arbitrary reads, fed the way the session feeds it.
// Properties: every answer has a status the server can send (400, 403, 404, 405, 413, 426, 431, or
// a route's own: 200 and 503 here); a route answers only a GET of its own path, a 404 only a GET of
// another path, a 405 only another method; the WebSocket path (/ws) answers a GET with 426, with
// 403 only when the request has an Origin field, or hands the connection over (which ends the
// reader's answers); none of them answers a request whose header declares a body
// (checked on the request's bytes, independently of Beast); a 413 only a request that declares one;
// 400, 413 and 431 end the connection; the reader never buffers more than the header limit and
// always has room for the next read; the answers are the same whether the bytes arrive whole, byte
// by byte or in the input's read sizes.
#include "check.hpp"
#include "chunks.hpp"

#include <netkit/http/request_reader.hpp>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {

using netkit::fuzz::chunked_input;
namespace http = netkit::http;

struct answered {
    unsigned status = 0;
    bool keep_alive = false;
    std::string body;
    bool operator==(const answered&) const = default;
};

// The routes of a metrics listener: two that answer 200 and one that answers 503, each naming its
// path in the body so a check can tell which one answered.
struct route {
    const char* path;
    unsigned status;
};
constexpr route routes_served[] = {{"/", 200}, {"/metrics", 200}, {"/healthz", 503}};

constexpr std::string_view upgrade_path = "/ws";

http::router make_router() {
    http::router r;
    r.upgrade(std::string(upgrade_path), {nullptr, {"http://allowed.example"}});
    for (const route& served : routes_served) {
        r.get(served.path, [served] {
            return http::response{served.status, "text/plain", std::string("route ") + served.path};
        });
    }
    return r;
}

bool is_routed(std::string_view path) {
    return std::any_of(std::begin(routes_served), std::end(routes_served),
                       [&](const route& r) { return path == r.path; });
}

// Field names compare without ASCII case.
bool iequals(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

// The fields of a header (request line, fields, blank line), each "name: value" whole: continuation
// lines (obs-fold) belong to the field before them.
std::vector<std::string> fields_of(std::string_view header) {
    std::vector<std::string> fields;
    std::string_view rest = header.substr(std::min(header.find("\r\n"), header.size()));
    while (!rest.empty()) {
        rest.remove_prefix(std::min<std::size_t>(2, rest.size()));
        const auto end = std::min(rest.find("\r\n"), rest.size());
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end);
        if (line.empty()) continue;
        if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
            fields.back() += line;
        } else {
            fields.emplace_back(line);
        }
    }
    return fields;
}

// Whether the header has a field called `wanted` (any case).
bool has_field(std::string_view header, std::string_view wanted) {
    for (const auto& field : fields_of(header)) {
        const auto colon = field.find(':');
        if (colon != std::string::npos && iequals(std::string_view(field.data(), colon), wanted)) return true;
    }
    return false;
}

// Whether a header announces a body: a Transfer-Encoding of any kind, or a Content-Length holding
// a digit other than 0.
bool declares_body(std::string_view header) {
    for (const auto& field : fields_of(header)) {
        const auto colon = field.find(':');
        if (colon == std::string::npos) continue;
        const std::string_view name(field.data(), colon);
        const std::string_view value = std::string_view(field).substr(colon + 1);
        if (iequals(name, "transfer-encoding")) return true;
        if (iequals(name, "content-length") && value.find_first_of("123456789") != std::string_view::npos) return true;
    }
    return false;
}

// The path of a request line "GET /path?query HTTP/1.1" (without the query), or nothing if the
// request is not a GET.
std::optional<std::string_view> get_path(std::string_view request) {
    if (!request.starts_with("GET ")) return std::nullopt;
    request.remove_prefix(4);
    return request.substr(0, std::min(request.find_first_of(" ?"), request.size()));
}

// One answer against the bytes of the request it answers (its header, for the answers that read
// one whole).
void check_answer(const http::reply& reply, std::string_view request) {
    const unsigned status = reply.answer.status;
    FUZZ_CHECK(status == 200 || status == 503 || status == 400 || status == 403 || status == 404 ||
               status == 405 || status == 413 || status == 426 || status == 431);
    const auto path = get_path(request);
    if (reply.handover) {
        FUZZ_CHECK(path == upgrade_path);
        FUZZ_CHECK(!reply.keep_alive);
        FUZZ_CHECK(request.ends_with("\r\n\r\n"));
        FUZZ_CHECK(!declares_body(request));
        return;
    }
    switch (status) {
    case 403:
        FUZZ_CHECK(path == upgrade_path);
        FUZZ_CHECK(has_field(request, "origin"));
        break;
    case 426:
        FUZZ_CHECK(path == upgrade_path);
        break;
    case 200:
    case 503: {
        FUZZ_CHECK(path.has_value());
        FUZZ_CHECK(reply.answer.body == "route " + std::string(*path));
        const auto served = std::find_if(std::begin(routes_served), std::end(routes_served),
                                         [&](const route& r) { return *path == r.path; });
        FUZZ_CHECK(served != std::end(routes_served) && served->status == status);
        break;
    }
    case 404:
        FUZZ_CHECK(path.has_value());
        FUZZ_CHECK(!is_routed(*path) && *path != upgrade_path);
        break;
    case 405:
        FUZZ_CHECK(!path.has_value());
        break;
    case 413:
        FUZZ_CHECK(declares_body(request));
        FUZZ_CHECK(!reply.keep_alive);
        return;
    default:  // 400, 431
        FUZZ_CHECK(!reply.keep_alive);
        return;
    }
    // A request that was answered: a whole header, without a body.
    FUZZ_CHECK(request.ends_with("\r\n\r\n"));
    FUZZ_CHECK(!declares_body(request));
}

// Feeds `stream`, cut into `chunks`, to a reader the way the session does: read what fits, take
// every answer, stop after one that closes, finish() at the end of the stream.
std::vector<answered> serve(const http::router& routes, std::size_t limit, std::string_view stream,
                            const std::vector<std::string_view>& chunks) {
    http::request_reader reader(routes, limit);
    std::vector<answered> out;
    std::size_t fed = 0;    // bytes of the stream given to the reader
    std::size_t start = 0;  // where the request being read begins
    // A request ends where the reader stopped reading when it answered; what followed an accepted
    // upgrade and was read with it goes with the connection, unchanged.
    const auto take = [&](const http::reply& reply) {
        const std::size_t early = reply.handover ? reply.handover->early.size() : 0;
        FUZZ_CHECK(fed - reader.buffered() >= early);
        const std::size_t end = fed - reader.buffered() - early;
        FUZZ_CHECK(end >= start);
        if (reply.handover) {
            FUZZ_CHECK(reader.buffered() == 0);
            FUZZ_CHECK(stream.substr(end, early) == reply.handover->early);
        }
        check_answer(reply, stream.substr(start, end - start));
        start = end;
        out.push_back({reply.answer.status, reply.keep_alive, reply.answer.body});
        return reply.keep_alive;
    };
    for (auto chunk : chunks) {
        while (!chunk.empty()) {
            const auto room = reader.prepare();
            FUZZ_CHECK(room.size() > 0);
            const auto n = std::min(room.size(), chunk.size());
            std::memcpy(room.data(), chunk.data(), n);
            reader.commit(n);
            chunk.remove_prefix(n);
            fed += n;
            FUZZ_CHECK(reader.buffered() <= limit);
            while (const auto reply = reader.next()) {
                if (!take(*reply)) {
                    FUZZ_CHECK(!reader.next() && !reader.finish());
                    return out;
                }
            }
        }
    }
    if (const auto last = reader.finish()) {
        FUZZ_CHECK(last->answer.status == 400);
        take(*last);
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider fdp(data, size);
    const auto limit = fdp.ConsumeIntegralInRange<std::size_t>(1, 4096);
    const chunked_input in = netkit::fuzz::take_chunked(fdp);
    const http::router routes = make_router();

    const auto reference = serve(routes, limit, in.stream, netkit::fuzz::whole(in.stream));
    FUZZ_CHECK(serve(routes, limit, in.stream, in.chunks()) == reference);
    FUZZ_CHECK(serve(routes, limit, in.stream, netkit::fuzz::bytewise(in.stream)) == reference);
    return 0;
}
