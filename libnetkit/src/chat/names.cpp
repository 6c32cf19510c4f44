#include <netkit/chat/names.hpp>

#include <netkit/chat/text.hpp>

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>
#include <unicode/utf8.h>

#include <memory>
#include <stdexcept>

namespace netkit::chat {

namespace {

// ICU's checker is safe to share between threads for checks and skeletons once built, and costly
// to build: one immutable instance, made on first use.
const USpoofChecker& spoof_checker() {
    static const std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> checker = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> made(uspoof_open(&status), &uspoof_close);
        if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU spoof checker: ") + u_errorName(status));
        return made;
    }();
    return *checker;
}

// Characters that show nothing, or reorder what is shown, so two different names look the same.
bool invisible(UChar32 c) {
    return u_charType(c) == U_FORMAT_CHAR || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
           u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL) || u_hasBinaryProperty(c, UCHAR_VARIATION_SELECTOR);
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "the name is empty";
    if (name.size() > max_name_bytes)
        return "the name is longer than " + std::to_string(max_name_bytes) + " bytes";
    if (!is_valid_utf8(name)) return "the name is not valid UTF-8";
    if (has_control(name) || name.find('\t') != std::string_view::npos) return "the name holds control characters";
    // ':' separates the name from the text in "name: text" lines, so "bob: hi" as a name would
    // print like a message from bob.
    if (name.find(':') != std::string_view::npos) return "the name holds ':'";
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(name.data());
    const auto length = static_cast<std::int32_t>(name.size());
    UChar32 first = -1, last = -1;
    for (std::int32_t i = 0; i < length;) {
        UChar32 c;
        U8_NEXT(bytes, i, length, c);
        if (c < 0) return "the name is not valid UTF-8";
        if (invisible(c)) return "the name holds invisible or text-direction characters";
        if (first < 0) first = c;
        last = c;
    }
    if (u_isUWhiteSpace(first) || u_isUWhiteSpace(last)) return "the name starts or ends with white space";
    if (name_key(name) == name_key(server_name)) return "'" + std::string(name) + "' is reserved for server notices";
    return std::nullopt;
}

std::string name_key(std::string_view name) {
    // Case first, then confusables: the skeleton itself keeps "B" and "b" apart.
    icu::UnicodeString folded = icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<std::int32_t>(name.size())));
    folded.foldCase();
    icu::UnicodeString skeleton;
    UErrorCode status = U_ZERO_ERROR;
    uspoof_getSkeletonUnicodeString(&spoof_checker(), 0, folded, skeleton, &status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU skeleton: ") + u_errorName(status));
    std::string key;
    skeleton.toUTF8String(key);
    return key;
}

std::string suffixed_name(std::string_view name, unsigned n) {
    const std::string suffix = "~" + std::to_string(n);
    while (!name.empty() && name.size() + suffix.size() > max_name_bytes) {
        // One whole character: its continuation bytes (10xxxxxx), then its first byte.
        while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) name.remove_suffix(1);
        if (!name.empty()) name.remove_suffix(1);
    }
    return std::string(name) + suffix;
}

}  // namespace netkit::chat
