// The length-header framing of lesson 003: a 10-byte header holding the payload length as ASCII
// decimal, left-aligned and padded with spaces (Python f"{n:<10}"), then the payload.
#pragma once

#include <netkit/framing/error.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::framing {

inline constexpr std::size_t header_length = 10;

// Appends one frame (header + payload) to `out`. Payloads up to 10^10 - 1 bytes fit the header.
void append_length_frame(std::string& out, std::string_view payload);
std::string length_frame(std::string_view payload);

// Incremental decoder: feed() whatever the socket delivered, then call next() until it returns
// nullopt. A frame may arrive split over many reads, and one read may hold many frames.
class length_header_decoder {
public:
    // Frames longer than max_payload are refused as soon as their header is complete, so memory
    // stays bounded by max_payload plus one read.
    explicit length_header_decoder(std::size_t max_payload);

    void feed(std::string_view bytes);
    // The next complete payload, valid until the next feed() or next(); nullopt when more bytes
    // are needed. Throws framing::error for a header that is not a decimal length, or a length
    // over the limit. Accepted header: 10 bytes whose content, with ASCII spaces trimmed, is one
    // or more decimal digits ("5         ", "         5" and "  5  " all mean 5).
    std::optional<std::string_view> next();

    // Bytes received but not yet returned as a frame (a partial frame).
    std::size_t buffered() const { return pending_.size() - consumed_; }

private:
    void compact();

    std::size_t max_payload_;
    std::string pending_;
    std::size_t consumed_ = 0;  // bytes of pending_ already returned
};

// Parses a header per the rule above; nullopt when it is not one.
std::optional<std::size_t> parse_length_header(std::string_view header);

}  // namespace netkit::framing
