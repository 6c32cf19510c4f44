// Making peer text safe to show: valid UTF-8 for every client, and no line breaks or terminal
// controls where a line-protocol client would see them.
#pragma once

#include <string>
#include <string_view>

namespace netkit::chat {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points over U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD.
// Returns `text` unchanged (same bytes) when it is already valid.
std::string valid_utf8(std::string_view text);

// Appends `text` (valid UTF-8) for a line-protocol client: "\r" and "\n" become spaces, other
// control characters (C0 but tab, DEL, C1) become U+FFFD, so the text can never end a line early
// or forge one such as "{end_conn}" or "bob: ...".
void append_line_safe(std::string& out, std::string_view text);

// True when `text` holds a character append_line_safe() would replace.
bool has_control(std::string_view text);

}  // namespace netkit::chat
