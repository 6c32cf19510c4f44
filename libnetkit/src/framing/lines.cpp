#include <netkit/framing/lines.hpp>

#include <algorithm>

namespace netkit::framing {

namespace {
constexpr std::size_t keep_capacity = 4096;
}  // namespace

line_decoder::line_decoder(std::size_t max_line) : max_line_(max_line) {}

void line_decoder::compact() {
    pending_.erase(0, consumed_);
    consumed_ = 0;
}

void line_decoder::feed(std::string_view bytes) {
    compact();
    pending_.append(bytes);
}

std::optional<std::string_view> line_decoder::next() {
    const std::string_view rest = std::string_view(pending_).substr(consumed_);
    const auto newline = rest.find('\n', scanned_);
    if (newline == std::string_view::npos) {
        scanned_ = rest.size();
        // The limit counts the text only; allow room for a "\r" still waiting for its "\n".
        // Written without max_line_ + 1, which wraps to 0 for the largest limit.
        if (rest.size() > max_line_ && (rest.size() - max_line_ > 1 || rest.back() != '\r'))
            throw error("line longer than " + std::to_string(max_line_) + " bytes");
        if (rest.empty()) {
            pending_.clear();
            consumed_ = 0;
            if (pending_.capacity() > keep_capacity) std::string().swap(pending_);
        }
        return std::nullopt;
    }
    scanned_ = 0;
    consumed_ += newline + 1;
    auto line = rest.substr(0, newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line_) throw error("line longer than " + std::to_string(max_line_) + " bytes");
    return line;
}

void line_decoder::discard(std::size_t n) {
    n = std::min(n, buffered());
    consumed_ += n;
    scanned_ = scanned_ > n ? scanned_ - n : 0;
}

std::optional<std::string_view> line_decoder::finish() {
    std::string_view rest = std::string_view(pending_).substr(consumed_);
    consumed_ = pending_.size();
    scanned_ = 0;
    if (rest.empty()) return std::nullopt;
    if (rest.back() == '\r') rest.remove_suffix(1);
    return rest;
}

}  // namespace netkit::framing
