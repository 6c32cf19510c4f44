// One-line log records with a level, written to a stream (stderr by default).
#pragma once

#include <mutex>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

namespace netkit {

enum class log_level { debug, info, warn, error, off };

// Parses "debug", "info", "warn", "error" or "off".
std::optional<log_level> parse_log_level(std::string_view text);
std::string_view to_string(log_level level);

// A logger is passed to whatever needs one; there is no global logger.
// Records are serialised by a mutex so lines from several threads never interleave.
class logger {
public:
    explicit logger(log_level threshold = log_level::info, std::ostream* out = nullptr);

    bool enabled(log_level level) const { return level >= threshold_ && threshold_ != log_level::off; }
    void write(log_level level, std::string_view text);

    // Each argument is streamed into the record, e.g. log.info("accepted ", endpoint).
    template <class... Args> void debug(const Args&... a) { emit(log_level::debug, a...); }
    template <class... Args> void info(const Args&... a) { emit(log_level::info, a...); }
    template <class... Args> void warn(const Args&... a) { emit(log_level::warn, a...); }
    template <class... Args> void error(const Args&... a) { emit(log_level::error, a...); }

private:
    template <class... Args> void emit(log_level level, const Args&... a) {
        if (!enabled(level)) return;
        std::ostringstream text;
        (text << ... << a);
        write(level, text.str());
    }

    log_level threshold_;
    std::ostream* out_;
    std::mutex mutex_;
};

}  // namespace netkit
