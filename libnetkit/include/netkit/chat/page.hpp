// The chat's browser page: its files (libnetkit/assets/chat/, embedded at build time by
// cmake/NetkitEmbed.cmake, so an installed netkit needs no data directory) and the HTTP routes that
// serve them with their security headers.
#pragma once

#include <netkit/http/router.hpp>

#include <span>
#include <string_view>

namespace netkit::chat {

struct page_file {
    std::string_view name;   // "index.html", "chat.js", "chat.css"
    std::string_view bytes;
};

// Every file of the page, as built into the library (generated source: page_files.cpp).
std::span<const page_file> page_files();

// GET / (index.html) and GET /NAME for the page's other files, each with its Content-Type,
// Cache-Control: no-cache (the page changes with the server), a Content-Security-Policy that lets
// the page run only its own script and style and connect only to its own origin,
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
void add_page_routes(http::router& routes);

// The Content-Security-Policy of the page's files.
inline constexpr std::string_view page_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace netkit::chat
