// WebSocket frames (RFC 6455 section 5) without a socket: a decoder for what a client sends and the
// encoders for what a server sends. A session reads the socket itself, feeds each read to the
// decoder and takes every message the read held, so it can answer a burst as one burst (Beast's
// stream completes one read per message). The handshake is http/websocket_handshake.hpp.
#pragma once

#include <netkit/framing/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::framing::websocket {

enum class opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes (RFC 6455 7.4.1) the server uses.
inline constexpr std::uint16_t close_normal = 1000, close_going_away = 1001, close_protocol_error = 1002,
    close_unsupported_data = 1003, close_invalid_payload = 1007, close_policy = 1008, close_too_big = 1009;

// A control frame's payload is at most this long (RFC 6455 5.5).
inline constexpr std::size_t max_control_payload = 125;
// The longest frame header: 2 bytes, a 64-bit length, a 4-byte mask.
inline constexpr std::size_t max_header_length = 14;

// A frame's header as read: the mask key is its last 4 bytes, the payload follows.
struct frame_header {
    bool fin;
    opcode op;
    std::size_t size;      // header bytes, the mask key included
    std::uint64_t length;  // payload bytes
};

// The client broke the framing: the connection must be closed with `close_code` (what() says why,
// in words a client's author can act on).
struct error : framing::error {
    error(std::uint16_t code, const std::string& what);
    std::uint16_t close_code;
};

// One thing the client said: a whole data message (fragments joined) or one control frame.
struct message {
    opcode kind;              // text, binary, close, ping or pong (never continuation)
    std::string_view payload; // unmasked; valid until the next feed() or next(). For close: the reason text
    std::uint16_t close_code = 0;  // close only: the code, or 0 when the frame had no payload
};

// Client-to-server frames (RFC 6455 section 5), fed in whatever pieces TCP delivered. Refused
// (websocket::error): unmasked frames, RSV bits, unknown opcodes, non-minimal or 64-bit-top-bit
// lengths, fragmented or over-long control frames, continuations out of place, a close payload
// of 1 byte or with a code a peer may not send [1002]; a data message over max_message, as soon
// as a frame header says so [1009]. Text is not checked for UTF-8: that is the session's job.
//
// Memory: a frame is unmasked in the decoder's own buffer, where feed() copied it, so a message
// that one feed() holds whole costs no further copy; only fragments are joined in a second
// buffer. Between feed()s at most a partial frame is held (and a message's earlier fragments):
// less than max_message + max_header_length + max_control_payload bytes. Once next() has returned
// nullopt with nothing buffered, the buffers keep at most 1 KiB of heap together (capacity()).
class client_frame_decoder {
public:
    explicit client_frame_decoder(std::size_t max_message);
    void feed(std::string_view bytes);
    std::optional<message> next();   // nullopt: more bytes needed. Throws websocket::error.
    std::size_t buffered() const;    // bytes held that are not yet returned
    std::size_t capacity() const;    // heap bytes the decoder's buffers hold (an idle session's cost)

private:
    // Drops the returned bytes; shrinks the buffers when they hold over 1 KiB of idle memory.
    void release();
    // Throws for a data frame out of place or over the limit.
    void check_data_frame(const frame_header& header) const;

    std::size_t max_message_;
    std::string pending_;         // fed bytes; frames are unmasked here in place
    std::size_t consumed_ = 0;    // bytes of pending_ already returned
    std::string fragments_;       // the data message in progress, its fragments joined
    std::optional<opcode> in_progress_;
    bool fragments_returned_ = false;  // fragments_ is the last message returned
};

// A server frame: FIN set, unmasked, minimal length encoding.
void append_frame(std::string& out, opcode op, std::string_view payload);
std::string frame(opcode op, std::string_view payload);
// A close frame with `code` and a reason (cut to fit the 125-byte control payload, at a UTF-8
// character boundary so a browser does not refuse it).
std::string close_frame(std::uint16_t code, std::string_view reason = {});

// Whether a peer may send `code` in a close frame (RFC 6455 7.4: 1000-1003, 1007-1014, 3000-4999).
bool sendable_close_code(std::uint16_t code);

}  // namespace netkit::framing::websocket
