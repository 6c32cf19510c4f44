// Line framing for text protocols usable from nc/telnet: each message ends with "\n"; a "\r" just
// before it (telnet, Windows) is dropped.
#pragma once

#include <netkit/framing/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::framing {

// Incremental decoder: feed() whatever the socket delivered, then call next() until nullopt.
class line_decoder {
public:
    // A line longer than max_line bytes (without its "\r\n") is refused as soon as that many bytes
    // have arrived without a newline, so memory stays bounded whatever the peer sends.
    explicit line_decoder(std::size_t max_line);

    void feed(std::string_view bytes);
    // The next line without its terminator, valid until the next feed()/next()/finish(); nullopt
    // when more bytes are needed. Throws framing::error for an over-long line.
    std::optional<std::string_view> next();
    // At the end of the stream: the last line if it had no newline (nullopt if nothing was left).
    std::optional<std::string_view> finish();

    std::size_t buffered() const { return pending_.size() - consumed_; }

    // The bytes received past the last line returned, for protocols that switch from lines to raw
    // bytes (a file's contents after its request line); discard(n) consumes n of them.
    std::string_view unread() const { return std::string_view(pending_).substr(consumed_); }
    void discard(std::size_t n);

private:
    void compact();

    std::size_t max_line_;
    std::string pending_;
    std::size_t consumed_ = 0;
    std::size_t scanned_ = 0;  // bytes after consumed_ known to hold no '\n'
};

}  // namespace netkit::framing
