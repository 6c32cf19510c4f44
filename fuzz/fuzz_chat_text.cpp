// The chat's text sanitizing (valid_utf8, append_line_safe, has_control, is_valid_utf8) on
// arbitrary bytes, against the plain decoder in utf8_reference.hpp.
// Properties: is_valid_utf8 agrees with the reference; valid_utf8 returns valid UTF-8, the same
// bytes when the input was valid; append_line_safe only appends, and what it appends is valid
// UTF-8 with no control character and no "\r" or "\n"; sanitizing is the same with or without
// valid_utf8 first; has_control is true exactly when append_line_safe would change the text.
#include "check.hpp"
#include "utf8_reference.hpp"

#include <netkit/chat/text.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace {

namespace chat = netkit::chat;
using netkit::fuzz::decode_utf8;

std::string line_safe(std::string_view text) {
    std::string out;
    chat::append_line_safe(out, text);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool valid = decode_utf8(text).has_value();
    FUZZ_CHECK(chat::is_valid_utf8(text) == valid);

    const std::string repaired = chat::valid_utf8(text);
    FUZZ_CHECK(decode_utf8(repaired).has_value());
    FUZZ_CHECK(!valid || repaired == text);
    FUZZ_CHECK(repaired.size() >= text.size());

    const std::string prefix = "bob: ";
    std::string out = prefix;
    chat::append_line_safe(out, text);
    FUZZ_CHECK(out.starts_with(prefix));
    const std::string_view appended = std::string_view(out).substr(prefix.size());
    const auto points = decode_utf8(appended);
    FUZZ_CHECK(points.has_value());
    FUZZ_CHECK(std::none_of(points->begin(), points->end(), netkit::fuzz::is_control));
    FUZZ_CHECK(!chat::has_control(appended));

    FUZZ_CHECK(line_safe(repaired) == appended);
    FUZZ_CHECK(chat::has_control(text) == (appended != text));
    return 0;
}
