// What a WebSocket chat client says, one JSON object per text frame (docs/chat-protocols.md):
// {"type":"join","name":"alice"}, {"type":"say","text":"hi"}, {"type":"quit"}. Socket-free, so it
// is unit-tested and fuzzed (fuzz/fuzz_chat_client_message.cpp) without a network.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

struct client_message {
    enum class kind { join, say, quit };
    kind type = kind::quit;
    std::string value;  // the name (join) or the text (say); empty for quit

    bool operator==(const client_message&) const = default;
};

// A frame's text read as a client message, or why it cannot be: a short ASCII reason, what the
// client's `error` event says. Fields other than those of the type are ignored (so clients may add
// some); a field the type needs must be a JSON string.
struct parsed_client_message {
    std::optional<client_message> message;
    std::string error;  // set when `message` is empty
};

// Never throws but std::bad_alloc. `text` is at most --max-message bytes (the frame limit).
parsed_client_message parse_client_message(std::string_view text);

// The message as a client sends it: parse_client_message(encode(m)) gives m back.
std::string encode(const client_message& message);

}  // namespace netkit::chat
