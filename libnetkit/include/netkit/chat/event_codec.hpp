// The wire form of a chat event between nodes (the Redis bus's channel): "v1 NODE KIND LEN NAMETEXT",
// tagged with the publishing node. Socket-free, so it is unit-tested and fuzzed on its own.
#pragma once

#include <netkit/chat/chat_event.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

std::string encode_event(const std::string& node_id, const chat_event& event);
// nullopt for anything malformed; `node_id` receives the publisher.
std::optional<chat_event> decode_event(std::string_view payload, std::string& node_id);

}  // namespace netkit::chat
