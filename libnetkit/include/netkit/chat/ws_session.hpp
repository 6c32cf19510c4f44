// The chat over WebSocket, for the browser page: the endpoint an HTTP listener's router hands
// upgraded connections to (router::upgrade), and the options of its sessions. Each connection is a
// chat participant in the same hub as the TCP protocols, with the same rules (unique names, the
// sender's own message back, --max-message, the bounded queue and the flood rule, sanitized text,
// the login timeout); the protocol is docs/chat-protocols.md's "WebSocket".
#pragma once

#include <netkit/chat/hub.hpp>
#include <netkit/chat/options.hpp>
#include <netkit/http/upgrade.hpp>
#include <netkit/log.hpp>

#include <chrono>
#include <memory>

namespace netkit::chat {

struct ws_options {
    // Nothing received for this long (not even a pong to the ping sent halfway) means the browser
    // vanished: the connection is closed.
    std::chrono::milliseconds idle_timeout{40000};
    // The WebSocket handshake, and a close handshake, must be done within this.
    std::chrono::milliseconds handshake_timeout{10000};
};

// Takes each upgraded connection as a chat session in `room`. `room` and `log` must outlive it and
// its sessions.
std::shared_ptr<http::upgrade_target> websocket_endpoint(hub& room, chat_options options, ws_options ws, logger& log);

}  // namespace netkit::chat
