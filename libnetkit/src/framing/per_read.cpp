#include <netkit/framing/per_read.hpp>

#include <algorithm>

namespace netkit::framing {

per_read_decoder::per_read_decoder(std::size_t max_message) : max_message_(std::max<std::size_t>(max_message, 1)) {}

void per_read_decoder::feed(std::string_view bytes) {
    if (bytes.ends_with("\r\n")) bytes.remove_suffix(2);
    else if (bytes.ends_with('\n')) bytes.remove_suffix(1);
    pending_.erase(0, consumed_);
    consumed_ = 0;
    pending_.append(bytes);
}

std::optional<std::string_view> per_read_decoder::next() {
    if (consumed_ == pending_.size()) {
        pending_.clear();
        consumed_ = 0;
        return std::nullopt;
    }
    const std::string_view piece = std::string_view(pending_).substr(consumed_, max_message_);
    consumed_ += piece.size();
    return piece;
}

}  // namespace netkit::framing
