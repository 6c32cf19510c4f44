// The WebSocket chat's decoder of client frames (chat/client_message.hpp: Boost.JSON behind the
// protocol's rules) on arbitrary bytes.
// Properties: it never throws; it gives either a message or an error reason, never both or
// neither; a reason is short (at most 120 bytes) valid UTF-8 with no control characters, whatever
// the input (it never echoes the client's bytes); a parsed join or say carries valid UTF-8 (Boost.JSON
// refuses anything else) and, re-encoded and parsed again, is the same message; anything that is
// not a JSON object is refused.
#include "check.hpp"

#include <netkit/chat/client_message.hpp>
#include <netkit/chat/text.hpp>

// Boost.JSON's implementation, compiled here so that it is instrumented like the decoder.
#include <boost/json/src.hpp>

#include <cstdint>
#include <string>

namespace {

namespace chat = netkit::chat;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    chat::parsed_client_message parsed;
    try {
        parsed = chat::parse_client_message(text);
    } catch (...) {
        FUZZ_CHECK(!"parse_client_message threw");
    }
    FUZZ_CHECK(parsed.message.has_value() != !parsed.error.empty());
    if (!parsed.message) {
        FUZZ_CHECK(parsed.error.size() <= 120);
        FUZZ_CHECK(chat::is_valid_utf8(parsed.error));
        FUZZ_CHECK(!chat::has_control(parsed.error));
        return 0;
    }
    // Whatever parsed is an object: its text starts, after white space, with '{'.
    const auto first = text.find_first_not_of(" \t\r\n");
    FUZZ_CHECK(first != std::string_view::npos && text[first] == '{');
    const chat::client_message& message = *parsed.message;
    FUZZ_CHECK(chat::is_valid_utf8(message.value));
    if (message.type == chat::client_message::kind::quit) FUZZ_CHECK(message.value.empty());
    const std::string again = chat::encode(message);
    const auto reparsed = chat::parse_client_message(again);
    FUZZ_CHECK(reparsed.message.has_value());
    FUZZ_CHECK(*reparsed.message == message);
    FUZZ_CHECK(chat::encode(*reparsed.message) == again);
    return 0;
}
