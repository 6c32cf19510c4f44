// What the HTTP unit answers with: a response, the handler that makes one for a path, and the router
// that maps exact paths to handlers. Socket-free, so request_reader (and its fuzzer) can use it alone.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace netkit::http {

struct response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

// Answers a GET of its path. Runs on the connection's strand; may be called from any thread.
using handler = std::function<response()>;

// Paths to handlers, matched exactly (the query string is ignored). Filled before serving starts.
class router {
public:
    router& get(std::string path, handler h);
    const handler* find(std::string_view path) const;

private:
    std::map<std::string, handler, std::less<>> routes_;
};

}  // namespace netkit::http
