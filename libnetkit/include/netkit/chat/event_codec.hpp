// The wire form of what nodes tell each other on the Redis bus's channel, tagged with the
// publishing node: a chat event, "v1 NODE KIND LEN NAMETEXT", or a name takeover,
// "v1 NODE t LEN KEYHOLDER". Socket-free, so it is unit-tested and fuzzed on its own.
#pragma once

#include <netkit/chat/chat_event.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

std::string encode_event(const std::string& node_id, const chat_event& event);
// nullopt for anything malformed (a takeover included); `node_id` receives the publisher.
std::optional<chat_event> decode_event(std::string_view payload, std::string& node_id);

// After a split, the node whose claim on a name is the earlier one took the name over from
// `holder` (a node id): the holder checks its own claim again, and renames its user if it lost.
struct name_takeover {
    std::string key;     // the name key (names.hpp's name_key)
    std::string holder;  // the node that held it until now
};

std::string encode_takeover(const std::string& node_id, const name_takeover& takeover);
// nullopt for anything that is not a well-formed takeover; `node_id` receives the publisher.
std::optional<name_takeover> decode_takeover(std::string_view payload, std::string& node_id);

}  // namespace netkit::chat
