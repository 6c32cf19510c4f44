// The chat's fixed texts and the pieces of event text the protocols share. How a whole event looks
// on the wire is each protocol's business (protocol.hpp, src/chat/protocols/).
#pragma once

#include <netkit/chat/chat_event.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace netkit::chat {

// Line and report protocols: the server's last text before it closes the connection at shutdown.
inline constexpr std::string_view end_conn = "{end_conn}";
// Line and report protocols: a client's request to leave (at the name prompt too).
inline constexpr std::string_view quit_command = "{quit}";
// Header protocol: the notice from `server` sent before the connection closes at shutdown.
inline constexpr std::string_view shutdown_notice = "the server is shutting down";

// To a user who joined while the other nodes could not be reached (after its welcome).
inline constexpr std::string_view checked_here_only_notice =
    "the other chat nodes cannot be reached now: your name was checked on this node only";

// To a user renamed because another node's earlier claim on its name won after a split.
std::string renamed_text(std::string_view old_name, std::string_view new_name);

// "alice joined the chat" / "alice left the chat".
std::string joined_text(std::string_view name);
std::string left_text(std::string_view name);
// A big room's batch: "12 joined, 3 left", "12 joined" or "3 left"; empty when nobody came or went.
std::string batch_text(std::size_t joined, std::size_t left);
// The same counts in other words: counts_text(12, 3, "entrati", "usciti") is "12 entrati, 3 usciti".
std::string counts_text(std::size_t joined, std::size_t left, std::string_view in, std::string_view out);
// A join, leave or batch as the server's English notice text ("alice joined the chat", ...).
std::string notice_text(const chat_event& event);
// A message, join or leave as one line of text without its delimiter: "alice: text", or the name
// followed by `joined` / `left` (" joined the chat"), with control characters of the name or text
// replaced (text.hpp's append_line_safe) so no event can pass for another. Not for a batch.
std::string printable_event(const chat_event& event, std::string_view joined, std::string_view left);

}  // namespace netkit::chat
