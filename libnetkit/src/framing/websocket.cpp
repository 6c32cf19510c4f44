#include <netkit/framing/websocket.hpp>

#include <algorithm>
#include <cstring>

namespace netkit::framing::websocket {

namespace {

// An idle connection keeps one decoder: once drained, its buffers keep at most this much heap.
constexpr std::size_t keep_capacity = 1024;

bool known(unsigned op) { return op <= 2 || (op >= 8 && op <= 10); }

std::string name(opcode op) {
    switch (op) {
    case opcode::continuation: return "continuation";
    case opcode::text: return "text";
    case opcode::binary: return "binary";
    case opcode::close: return "close";
    case opcode::ping: return "ping";
    case opcode::pong: return "pong";
    }
    return "opcode " + std::to_string(static_cast<unsigned>(op));
}

[[noreturn]] void refuse(std::uint16_t code, const std::string& why) { throw error(code, why); }

// XOR with the 4-byte key, eight bytes at a time: the payload starts at key offset 0.
void unmask(char* p, std::size_t n, const char* key) {
    std::uint32_t k4;
    std::memcpy(&k4, key, 4);
    const std::uint64_t k8 = (std::uint64_t{k4} << 32) | k4;  // the key twice, in memory order
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        word ^= k8;
        std::memcpy(p + i, &word, 8);
    }
    for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 3]);
}

// The header at the start of `bytes`, checked on its own (the decoder's state is checked by the
// caller); nullopt until its length field has arrived (the mask key may still be missing: a
// frame over the limit is refused without waiting for it).
std::optional<frame_header> read_header(std::string_view bytes) {
    if (bytes.size() < 2) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(bytes[0]);
    const auto b1 = static_cast<unsigned char>(bytes[1]);
    const unsigned op_bits = b0 & 0x0f;
    const std::size_t short_length = b1 & 0x7f;
    if (b0 & 0x70) refuse(close_protocol_error, "RSV bits set, but no extension was negotiated");
    if (!known(op_bits)) refuse(close_protocol_error, "unknown opcode " + std::to_string(op_bits));
    if (!(b1 & 0x80)) refuse(close_protocol_error, "unmasked frame: a client must mask every frame");
    frame_header header{(b0 & 0x80) != 0, static_cast<opcode>(op_bits), 0, short_length};
    if (header.op >= opcode::close) {
        if (!header.fin)
            refuse(close_protocol_error, "fragmented " + name(header.op) + " frame: control frames must have FIN set");
        if (short_length > max_control_payload) refuse(close_protocol_error, name(header.op) + " frame over 125 bytes");
    }

    const std::size_t length_bytes = short_length == 126 ? 2 : short_length == 127 ? 8 : 0;
    if (bytes.size() < 2 + length_bytes) return std::nullopt;
    if (length_bytes != 0) {
        header.length = 0;
        for (std::size_t i = 0; i < length_bytes; ++i)
            header.length = (header.length << 8) | static_cast<unsigned char>(bytes[2 + i]);
        if (header.length >> 63) refuse(close_protocol_error, "64-bit frame length with its top bit set");
        if (header.length < (length_bytes == 2 ? 126u : 0x10000u))
            refuse(close_protocol_error,
                   "frame length " + std::to_string(header.length) + " not in its shortest encoding");
    }
    header.size = 2 + length_bytes + 4;
    return header;
}

message control(opcode op, std::string_view payload) {
    if (op != opcode::close || payload.empty()) return {op, payload};
    if (payload.size() == 1)
        refuse(close_protocol_error, "close frame with a 1-byte payload: it must be empty or start with a 2-byte code");
    const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                 static_cast<unsigned char>(payload[1]));
    if (!sendable_close_code(code))
        refuse(close_protocol_error, "close code " + std::to_string(code) +
                                         " may not be sent (RFC 6455 7.4: use 1000-1003, 1007-1014 or 3000-4999)");
    return {op, payload.substr(2), code};
}

}  // namespace

error::error(std::uint16_t code, const std::string& what) : framing::error(what), close_code(code) {}

bool sendable_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

client_frame_decoder::client_frame_decoder(std::size_t max_message) : max_message_(max_message) {}

void client_frame_decoder::feed(std::string_view bytes) {
    pending_.erase(0, consumed_);
    consumed_ = 0;
    pending_.append(bytes);
}

std::size_t client_frame_decoder::buffered() const {
    return pending_.size() - consumed_ + (fragments_returned_ ? 0 : fragments_.size());
}

std::size_t client_frame_decoder::capacity() const {
    const std::size_t inline_capacity = std::string().capacity();  // no heap below this
    std::size_t total = 0;
    for (const auto* s : {&pending_, &fragments_})
        if (s->capacity() > inline_capacity) total += s->capacity();
    return total;
}

void client_frame_decoder::release() {
    pending_.erase(0, consumed_);
    consumed_ = 0;
    if (pending_.capacity() > keep_capacity && pending_.size() <= keep_capacity)
        std::string(pending_).swap(pending_);  // a copy sized to what is held
    if (fragments_.empty() && capacity() > keep_capacity) std::string().swap(fragments_);  // the two together
}

std::optional<message> client_frame_decoder::next() {
    if (fragments_returned_) {
        fragments_.clear();
        fragments_returned_ = false;
    }
    for (;;) {
        const std::string_view rest = std::string_view(pending_).substr(consumed_);
        const auto header = read_header(rest);
        if (!header) {
            release();
            return std::nullopt;
        }
        const bool is_control = header->op >= opcode::close;
        if (!is_control) check_data_frame(*header);
        if (rest.size() < header->size || rest.size() - header->size < header->length) {
            release();
            return std::nullopt;
        }
        const auto length = static_cast<std::size_t>(header->length);
        char* const payload = pending_.data() + consumed_ + header->size;
        unmask(payload, length, rest.data() + header->size - 4);
        consumed_ += header->size + length;
        const std::string_view body(payload, length);

        if (is_control) return control(header->op, body);
        if (!in_progress_ && header->fin) return message{header->op, body};
        if (!in_progress_) in_progress_ = header->op;
        fragments_.append(body);
        if (header->fin) {
            const opcode kind = *in_progress_;
            in_progress_.reset();
            fragments_returned_ = true;
            return message{kind, fragments_};
        }
    }
}

void client_frame_decoder::check_data_frame(const frame_header& header) const {
    if (header.op == opcode::continuation && !in_progress_)
        refuse(close_protocol_error, "continuation frame with no message in progress");
    if (header.op != opcode::continuation && in_progress_)
        refuse(close_protocol_error, "new " + name(header.op) + " message while a fragmented " + name(*in_progress_) +
                                         " message is in progress");
    if (header.length > max_message_ - fragments_.size())
        refuse(close_too_big, "message of at least " + std::to_string(fragments_.size() + header.length) +
                                  " bytes is over the limit of " + std::to_string(max_message_));
}

void append_frame(std::string& out, opcode op, std::string_view payload) {
    out.push_back(static_cast<char>(0x80 | static_cast<unsigned>(op)));  // FIN
    const std::uint64_t n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(126));  // then 16 bits, network order
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(127));  // then 64 bits, network order
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
    }
    out.append(payload);
}

std::string frame(opcode op, std::string_view payload) {
    std::string out;
    out.reserve(10 + payload.size());
    append_frame(out, op, payload);
    return out;
}

std::string close_frame(std::uint16_t code, std::string_view reason) {
    std::size_t cut = std::min(reason.size(), max_control_payload - 2);
    if (cut < reason.size())  // not inside a UTF-8 character: back off over its continuation bytes
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xc0) == 0x80) --cut;
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason.substr(0, cut));
    return frame(opcode::close, payload);
}

}  // namespace netkit::framing::websocket
