// What the server sends a WebSocket chat client: one JSON object per text frame, its "type" first
// (docs/chat-protocols.md). Names and texts are sanitized as for line clients (text.hpp's
// append_line_safe: no line breaks or control characters); JSON escaping does the rest.
#pragma once

#include <netkit/chat/chat_event.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace netkit::chat {

// {"type":"message","from":...,"text":...}, {"type":"joined","name":...}, {"type":"left",...},
// {"type":"batch","joined":[...],"left":[...]}.
std::string event_json(const chat_event& event);
// {"type":"welcome","name":...,"members":[...],"count":N}: `members` are names of this node's
// members, the newcomer included; `count` is how many there are (more than the list holds in a
// big room, where the list is cut).
std::string welcome_json(std::string_view name, const std::vector<std::string>& members, std::size_t count);
// {"type":"error","reason":...}
std::string error_json(std::string_view reason);
// {"type":"notice","text":...}: any other text from the server (a rename, a split bus).
std::string notice_json(std::string_view text);
// {"type":"end"}: the server is shutting down; a close frame (1001) follows.
std::string end_json();

// `payload` as one WebSocket text frame from a server (RFC 6455 §5.2: FIN, opcode 1, not masked).
// A server's frames are the same bytes for every client, so the hub encodes an event once, as a
// whole frame, and every browser's queue shares it (framing/websocket.hpp encodes it).
std::string text_frame(std::string_view payload);

}  // namespace netkit::chat
