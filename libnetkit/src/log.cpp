#include <netkit/log.hpp>

#include <chrono>
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

logger::logger(log_level threshold, std::ostream* out)
    : threshold_(threshold), out_(out ? out : &std::cerr) {}

void logger::write(log_level level, std::string_view text) {
    if (!enabled(level)) return;
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t secs = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char stamp[32];
    const auto len = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(millis));

    // Control characters from peers (names, paths) must not break the one-line format.
    std::string line;
    line.reserve(text.size() + 48);
    line.append(stamp, len).append(frac).append(" ").append(to_string(level)).append(" ");
    for (char c : text) line.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    line.push_back('\n');

    std::lock_guard lock(mutex_);
    *out_ << line << std::flush;
}

}  // namespace netkit
