#include <netkit/log.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace netkit {

std::optional<log_level> parse_log_level(std::string_view text) {
    if (text == "debug") return log_level::debug;
    if (text == "info") return log_level::info;
    if (text == "warn") return log_level::warn;
    if (text == "error") return log_level::error;
    if (text == "off") return log_level::off;
    return std::nullopt;
}

std::string_view to_string(log_level level) {
    switch (level) {
    case log_level::debug: return "DEBUG";
    case log_level::info: return "INFO";
    case log_level::warn: return "WARN";
    case log_level::error: return "ERROR";
    case log_level::off: return "OFF";
    }
    return "?";
}

std::optional<log_format> parse_log_format(std::string_view text) {
    if (text == "text") return log_format::text;
    if (text == "json") return log_format::json;
    return std::nullopt;
}

namespace {

// The length of the UTF-8 sequence at the start of `s` and its code point, or length 0 when the
// bytes there are not well-formed UTF-8 (overlong forms, surrogates and > U+10FFFF included).
std::pair<std::size_t, char32_t> decode_utf8(std::string_view s) {
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80) return {1, b0};
    std::size_t len = 0;
    char32_t cp = 0, min = 0;
    if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F, min = 0x80;
    else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F, min = 0x800;
    else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07, min = 0x10000;
    else return {0, 0};
    if (s.size() < len) return {0, 0};
    for (std::size_t i = 1; i < len; ++i) {
        const auto b = static_cast<unsigned char>(s[i]);
        if ((b & 0xC0) != 0x80) return {0, 0};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
    return {len, cp};
}

bool is_unsafe(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

std::string timestamp() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t secs = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char stamp[40];
    const auto len = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(stamp + len, sizeof stamp - len, ".%03dZ", static_cast<int>(millis));
    return stamp;
}

// A JSON string body: the text is already printable UTF-8, so only quote and backslash remain.
void append_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    for (char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
}

}  // namespace

std::string printable_for_log(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto [len, cp] = decode_utf8(text);
        if (len == 0 || is_unsafe(cp)) {
            out.push_back('?');
            text.remove_prefix(len == 0 ? 1 : len);
        } else {
            out.append(text.substr(0, len));
            text.remove_prefix(len);
        }
    }
    return out;
}

logger::logger(log_level threshold, std::ostream* out, log_style style)
    : threshold_(threshold), out_(out ? out : &std::cerr), style_(style) {}

void logger::write(log_level level, std::string_view text) {
    if (!enabled(level)) return;
    // Text from peers (names, paths) must not break the one-line format nor fool a terminal.
    const std::string message = printable_for_log(text);
    std::lock_guard lock(mutex_);
    std::string line;
    line.reserve(message.size() + 64);
    if (style_.format == log_format::json) {
        line.push_back('{');
        if (style_.timestamps) line.append("\"time\":\"").append(timestamp()).append("\",");
        line.append("\"level\":\"").append(to_string(level)).append("\",\"message\":");
        append_json_string(line, message);
        line.push_back('}');
    } else {
        if (style_.timestamps) line.append(timestamp()).append(" ");
        line.append(to_string(level)).append(" ").append(message);
    }
    line.push_back('\n');
    *out_ << line << std::flush;
}

}  // namespace netkit
