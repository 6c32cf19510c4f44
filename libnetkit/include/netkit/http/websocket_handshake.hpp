// The server's half of the WebSocket opening handshake (RFC 6455 section 4.2), without a socket: the
// session writes the answer's bytes, then reads frames (framing/websocket.hpp) if it was accepted.
#pragma once

#include <netkit/http/request_reader.hpp>

#include <string>
#include <string_view>

namespace netkit::http {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")),
// by OpenSSL (EVP SHA-1, EVP_EncodeBlock): no hand-written crypto or base64.
std::string websocket_accept_key(std::string_view client_key);

struct upgrade_answer {
    bool accepted = false;  // true: `bytes` is the 101 answer; the connection speaks WebSocket from now on
    std::string bytes;      // the whole serialized HTTP response to send
};

// The server's answer to a request the router already found to be a WebSocket upgrade from an
// allowed origin (request_reader.hpp): 101 Switching Protocols with Upgrade: websocket,
// Connection: Upgrade, Sec-WebSocket-Accept and Server: netkit; or 426 with
// Sec-WebSocket-Version: 13 when Sec-WebSocket-Version is not 13 (checked first); or 400 when
// Sec-WebSocket-Key is missing or not base64 of 16 bytes. Error answers are short text/plain
// bodies with Content-Length and Connection: close. No subprotocol, no extension
// (permessage-deflate is declined by not answering it).
upgrade_answer answer_websocket_upgrade(const request_header& request);

}  // namespace netkit::http
