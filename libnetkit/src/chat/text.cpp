#include <netkit/chat/text.hpp>

namespace netkit::chat {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when there is none.
std::size_t sequence_length(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) low = 0xA0;   // overlong
        if (c == 0xED) high = 0x9F;  // UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) low = 0x90;   // overlong
        if (c == 0xF4) high = 0x8F;  // over U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < low || byte(i + 1) > high) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

// C0 controls but tab, DEL, C1 controls (U+0080-U+009F) and the Unicode line/paragraph separators.
bool is_control(std::string_view seq) {
    const auto c = static_cast<unsigned char>(seq[0]);
    if (seq.size() == 1) return (c < 0x20 && c != '\t') || c == 0x7F;
    if (seq.size() == 2) return c == 0xC2 && static_cast<unsigned char>(seq[1]) <= 0x9F;
    return seq == "\xE2\x80\xA8" || seq == "\xE2\x80\xA9";
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto n = sequence_length(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto n = sequence_length(text, i);
        if (n == 0) {
            out.append(replacement);
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

void append_line_safe(std::string& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto n = sequence_length(text, i);
        if (n == 0) {
            out.append(replacement);
            ++i;
            continue;
        }
        const auto seq = text.substr(i, n);
        if (seq == "\r" || seq == "\n")
            out.push_back(' ');
        else if (is_control(seq))
            out.append(replacement);
        else
            out.append(seq);
        i += n;
    }
}

bool has_control(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto n = sequence_length(text, i);
        if (n == 0) return true;
        if (is_control(text.substr(i, n))) return true;
        i += n;
    }
    return false;
}

}  // namespace netkit::chat
