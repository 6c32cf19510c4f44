// One-line log records with a level, written to a stream (stderr by default), as text or as one
// JSON object per line (for journald, Loki and the like).
#pragma once

#include <atomic>
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

enum class log_format { text, json };

// Parses "text" or "json".
std::optional<log_format> parse_log_format(std::string_view text);

struct log_style {
    log_format format = log_format::text;
    // Off under systemd: journald stamps every record itself.
    bool timestamps = true;
};

// A logger is passed to whatever needs one; there is no global logger.
// Records are serialised by a mutex so lines from several threads never interleave.
class logger {
public:
    explicit logger(log_level threshold = log_level::info, std::ostream* out = nullptr, log_style style = {});

    bool enabled(log_level level) const {
        const auto t = threshold_.load(std::memory_order_relaxed);
        return level >= t && t != log_level::off;
    }
    // Thread-safe, so a reload (SIGHUP) can change the level while sessions log.
    void set_threshold(log_level level) { threshold_.store(level, std::memory_order_relaxed); }
    log_level threshold() const { return threshold_.load(std::memory_order_relaxed); }
    // Set before the service starts (the command line decides it after the logger exists).
    void set_style(log_style style) {
        std::lock_guard lock(mutex_);
        style_ = style;
    }

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

    std::atomic<log_level> threshold_;
    std::ostream* out_;
    log_style style_;
    std::mutex mutex_;
};

// `text` made safe for a one-line record shown on a terminal: C0 and C1 controls, DEL, the
// bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069, which can make a line read
// backwards) and bytes that are not UTF-8 each become '?'. Printable UTF-8 passes unchanged.
std::string printable_for_log(std::string_view text);

}  // namespace netkit
