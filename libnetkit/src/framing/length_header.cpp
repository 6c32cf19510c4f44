#include <netkit/framing/length_header.hpp>

#include <charconv>
#include <stdexcept>

namespace netkit::framing {

namespace {
// A string this large would be kept only for one big message: idle sessions give it back.
constexpr std::size_t keep_capacity = 4096;
}  // namespace

void append_length_frame(std::string& out, std::string_view payload) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, payload.size());
    const auto used = static_cast<std::size_t>(end - digits);
    if (ec != std::errc() || used > header_length)
        throw std::length_error("payload too large for a 10-digit length header");
    out.append(digits, used);
    out.append(header_length - used, ' ');
    out.append(payload);
}

std::string length_frame(std::string_view payload) {
    std::string out;
    out.reserve(header_length + payload.size());
    append_length_frame(out, payload);
    return out;
}

std::optional<std::size_t> parse_length_header(std::string_view header) {
    if (header.size() != header_length) return std::nullopt;
    const auto first = header.find_first_not_of(' ');
    if (first == std::string_view::npos) return std::nullopt;
    const auto last = header.find_last_not_of(' ');
    const auto digits = header.substr(first, last - first + 1);
    std::size_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::size_t>(c - '0');  // at most 10 digits: no overflow
    }
    return value;
}

length_header_decoder::length_header_decoder(std::size_t max_payload) : max_payload_(max_payload) {}

void length_header_decoder::compact() {
    pending_.erase(0, consumed_);
    consumed_ = 0;
}

void length_header_decoder::feed(std::string_view bytes) {
    compact();
    pending_.append(bytes);
}

std::optional<std::string_view> length_header_decoder::next() {
    const std::string_view rest = std::string_view(pending_).substr(consumed_);
    if (rest.size() >= header_length) {
        const auto header = rest.substr(0, header_length);
        const auto length = parse_length_header(header);
        if (!length)
            throw error("malformed length header '" + std::string(header) +
                        "': expected a decimal length padded with spaces to 10 bytes");
        if (*length > max_payload_)
            throw error("frame of " + std::to_string(*length) + " bytes is over the limit of " +
                        std::to_string(max_payload_));
        if (rest.size() >= header_length + *length) {
            consumed_ += header_length + *length;
            return rest.substr(header_length, *length);
        }
        return std::nullopt;
    }
    if (rest.empty()) {
        pending_.clear();
        consumed_ = 0;
        if (pending_.capacity() > keep_capacity) std::string().swap(pending_);
    }
    return std::nullopt;
}

}  // namespace netkit::framing
