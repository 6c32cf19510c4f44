#include <netkit/redis/url.hpp>

#include <charconv>

namespace netkit::redis {

namespace {

bool parse_port(std::string_view text, std::size_t& out) {
    if (text.empty() || text.size() > 5) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out >= 1 && out <= 65535;
}

}  // namespace

std::optional<url> parse_url(std::string_view text, std::string& error) {
    constexpr std::string_view scheme = "redis://";
    url out;
    error.clear();
    if (!text.starts_with(scheme)) {
        error = "a Redis URL starts with redis:// (got '" + std::string(text) + "')";
        return std::nullopt;
    }
    text.remove_prefix(scheme.size());
    const auto slash = text.find('/');
    const std::string_view authority = text.substr(0, slash);
    if (slash != std::string_view::npos) out.path = text.substr(slash + 1);
    std::string_view host = authority, port;
    bool has_port = false;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unclosed '[' in Redis address '" + std::string(authority) + "'";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') {
                error = "expected ':PORT' after ']' in '" + std::string(authority) + "'";
                return std::nullopt;
            }
            port = rest.substr(1);
            has_port = true;
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        has_port = true;
    }
    if (host.empty()) {
        error = "no Redis host in '" + std::string(authority) + "'";
        return std::nullopt;
    }
    out.host = host;
    if (has_port) {
        std::size_t p = 0;
        if (!parse_port(port, p)) {
            error = "bad Redis port '" + std::string(port) + "'";
            return std::nullopt;
        }
        out.port = static_cast<std::uint16_t>(p);
    }
    return out;
}

std::string address(const std::string& host, std::uint16_t port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace netkit::redis
