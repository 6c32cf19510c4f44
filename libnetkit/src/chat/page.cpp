#include <netkit/chat/page.hpp>

#include <string>

namespace netkit::chat {

namespace {

std::string content_type(std::string_view name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    if (name.ends_with(".svg")) return "image/svg+xml";
    if (name.ends_with(".png")) return "image/png";
    return "application/octet-stream";
}

}  // namespace

void add_page_routes(http::router& routes) {
    for (const page_file& file : page_files()) {
        http::response page{200, content_type(file.name), std::string(file.bytes),
                            {{"Cache-Control", "no-cache"},
                             {"Content-Security-Policy", std::string(page_security_policy)},
                             {"X-Content-Type-Options", "nosniff"},
                             {"Referrer-Policy", "no-referrer"}}};
        const std::string path = file.name == "index.html" ? "/" : "/" + std::string(file.name);
        routes.get(path, [page = std::move(page)] { return page; });
    }
}

}  // namespace netkit::chat
