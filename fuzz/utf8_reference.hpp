// A second, deliberately plain UTF-8 decoder for the chat targets to compare against: it decodes
// code points by arithmetic and then applies Unicode's rules (shortest form, no surrogates, at
// most U+10FFFF), where chat/text.cpp checks byte ranges per lead byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace netkit::fuzz {

// The code points of `text`, or nullopt when it is not well-formed UTF-8.
inline std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t n = 0;
        char32_t cp = 0;
        char32_t smallest = 0;
        if (lead < 0x80) { n = 1; cp = lead; }
        else if ((lead & 0xE0) == 0xC0) { n = 2; cp = lead & 0x1F; smallest = 0x80; }
        else if ((lead & 0xF0) == 0xE0) { n = 3; cp = lead & 0x0F; smallest = 0x800; }
        else if ((lead & 0xF8) == 0xF0) { n = 4; cp = lead & 0x07; smallest = 0x10000; }
        else return std::nullopt;
        if (i + n > text.size()) return std::nullopt;
        for (std::size_t k = 1; k < n; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (next & 0x3F);
        }
        if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        out.push_back(cp);
        i += n;
    }
    return out;
}

// What a line-protocol client must never see raw: C0 controls but tab, DEL, C1 controls and the
// line and paragraph separators.
inline bool is_control(char32_t cp) {
    return (cp < 0x20 && cp != U'\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

}  // namespace netkit::fuzz
