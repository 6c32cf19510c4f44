// decode_event and decode_takeover (what a node reads from the Redis bus's channel, which any Redis
// client can publish to) on arbitrary payloads, and their encoders on arbitrary values.
// Properties: a decoded event has a non-empty name and no text unless it is a message, and encodes
// to a payload that decodes to the same node and event; decode(encode(e)) == e for every event a
// node can publish. A decoded takeover has a non-empty key and a one-word holder, and round-trips
// the same way; no payload decodes as both an event and a takeover.
#include "check.hpp"

#include <netkit/chat/event_codec.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <string>

namespace {

namespace chat = netkit::chat;

bool same(const chat::chat_event& a, const chat::chat_event& b) {
    return a.type == b.type && a.name == b.name && a.text == b.text;
}

void check_round_trip(const std::string& node, const chat::chat_event& event) {
    std::string back_node;
    const auto back = chat::decode_event(chat::encode_event(node, event), back_node);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(same(*back, event));
    FUZZ_CHECK(back_node == node);
}

void check_round_trip(const std::string& node, const chat::name_takeover& takeover) {
    std::string back_node;
    const auto back = chat::decode_takeover(chat::encode_takeover(node, takeover), back_node);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(back->key == takeover.key && back->holder == takeover.holder);
    FUZZ_CHECK(back_node == node);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    std::string node;
    if (const auto event = chat::decode_event(payload, node)) {
        FUZZ_CHECK(!event->name.empty());
        FUZZ_CHECK(!node.empty() && node.find(' ') == std::string::npos);
        FUZZ_CHECK(event->type == chat::chat_event::kind::message || event->text.empty());
        check_round_trip(node, *event);
    }
    if (const auto takeover = chat::decode_takeover(payload, node)) {
        std::string other;
        FUZZ_CHECK(!chat::decode_event(payload, other));
        FUZZ_CHECK(!takeover->key.empty());
        FUZZ_CHECK(!takeover->holder.empty() && takeover->holder.find(' ') == std::string::npos);
        FUZZ_CHECK(!node.empty() && node.find(' ') == std::string::npos);
        check_round_trip(node, *takeover);
    }

    // Events a node publishes: a node id without spaces (ours are 16 hex digits), a non-empty name.
    FuzzedDataProvider in(data, size);
    const int kind = in.ConsumeIntegralInRange(0, 3);
    chat::chat_event event;
    event.type = kind == 0 ? chat::chat_event::kind::message
               : kind == 1 ? chat::chat_event::kind::joined
                           : chat::chat_event::kind::left;
    std::string id = in.ConsumeRandomLengthString(24);
    std::erase(id, ' ');
    if (kind == 3) {  // a takeover: a name key, and the holder's node id (one word, like ours)
        chat::name_takeover takeover;
        takeover.key = in.ConsumeRandomLengthString(64);
        takeover.holder = in.ConsumeRemainingBytesAsString();
        std::erase(takeover.holder, ' ');
        if (!id.empty() && !takeover.key.empty() && !takeover.holder.empty()) check_round_trip(id, takeover);
        return 0;
    }
    event.name = in.ConsumeRandomLengthString(64);
    if (event.type == chat::chat_event::kind::message) event.text = in.ConsumeRemainingBytesAsString();
    if (!id.empty() && !event.name.empty()) check_round_trip(id, event);
    return 0;
}
