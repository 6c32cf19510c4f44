// How a chat event looks on each wire protocol, and the fixed texts of the chat.
#pragma once

#include <netkit/chat/bus.hpp>
#include <netkit/chat/participant.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace netkit::chat {

// Line protocol: the server's last line before it closes the connection at shutdown.
inline constexpr std::string_view end_conn = "{end_conn}";
// Line protocol: a client's request to leave (at the name prompt too).
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
// A big room's batch: "12 joined, 3 left", "12 joined" or "3 left" (report protocol: "12 entrati,
// 3 usciti"); empty when nobody came or went.
std::string batch_text(std::size_t joined, std::size_t left);
std::string report_batch_text(std::size_t joined, std::size_t left);

// Header protocol: a name frame then a text frame. A message is framed as (name, text); a join or
// leave notice as ("server", "alice joined the chat"), a batch as ("server", "12 joined, 3 left").
std::string header_event(const chat_event& event);
// Header protocol: a notice from `server` to one client.
std::string header_notice(std::string_view text);

// Line protocol: "alice: text\n", "alice joined the chat\n", "alice left the chat\n", with control
// characters of the name or text replaced so the event is exactly one line.
std::string line_event(const chat_event& event);
// Line protocol: one line of server text to one client.
std::string line_notice(std::string_view text);

// Report protocol, the bytes of the lesson 004 report's Python server: "alice: text", "alice si è
// unito alla chat!", "alice ha abbandonato la Chat.", each with no delimiter (its client shows
// what one recv() returns). Control characters are replaced as on the line protocol.
std::string report_event(const chat_event& event);
// Report protocol: server text to one client, as it is.
std::string report_notice(std::string_view text);

// The event as `p` clients see it.
std::string encode(protocol p, const chat_event& event);

}  // namespace netkit::chat
