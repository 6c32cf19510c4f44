// What the HTTP unit answers with: a response, the handler that makes one for a path, and the router
// that maps exact paths to handlers (and to WebSocket endpoints, which take the connection over).
// Socket-free, so request_reader (and its fuzzer) can use it alone.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netkit::http {

struct response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    // More header fields (name, value), e.g. Cache-Control or Content-Security-Policy.
    std::vector<std::pair<std::string, std::string>> headers{};
};

// Answers a GET of its path. Runs on the connection's strand; may be called from any thread.
using handler = std::function<response()>;

class upgrade_target;  // http/upgrade.hpp: what takes over an upgraded connection

// A path where a client may upgrade its connection to WebSocket.
struct upgrade_route {
    std::shared_ptr<upgrade_target> target;
    // Origins a browser may upgrade from besides the page's own ("http://" + the request's Host),
    // e.g. "http://localhost:8080". Exact, ASCII case-insensitive.
    std::vector<std::string> allowed_origins;
};

// Paths to handlers, matched exactly (the query string is ignored). Filled before serving starts.
class router {
public:
    router& get(std::string path, handler h);
    const handler* find(std::string_view path) const;

    router& upgrade(std::string path, upgrade_route route);
    const upgrade_route* find_upgrade(std::string_view path) const;

private:
    std::map<std::string, handler, std::less<>> routes_;
    std::map<std::string, upgrade_route, std::less<>> upgrades_;
};

}  // namespace netkit::http
