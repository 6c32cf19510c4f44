// client_frame_decoder (RFC 6455 client frames) on arbitrary bytes in arbitrary reads.
// Properties: messages and the refusal (its close code) do not depend on the chunking; a data
// message is at most the limit, a control payload at most 125 bytes, never a continuation; a close
// code is 0 only with no payload, and one a peer may send otherwise; after draining, less than
// limit + one header + one control payload is buffered, and when nothing is, at most 1 KiB of
// heap is kept; every message, encoded again by the server's encoders (append_frame,
// close_frame) and masked as a client would, decodes to itself.
#include "check.hpp"
#include "chunks.hpp"

#include <netkit/framing/websocket.hpp>

#include <string>
#include <vector>

namespace {

using netkit::fuzz::chunked_input;
namespace ws = netkit::framing::websocket;

struct said {
    ws::opcode kind;
    std::string payload;
    std::uint16_t close_code;
    bool operator==(const said&) const = default;
};

struct outcome {
    std::vector<said> messages;
    std::uint16_t refused = 0;  // the close code of the refusal, 0 when none
    bool operator==(const outcome&) const = default;
};

outcome decode(std::size_t limit, const std::vector<std::string_view>& chunks) {
    outcome out;
    ws::client_frame_decoder decoder(limit);
    try {
        for (const auto chunk : chunks) {
            decoder.feed(chunk);
            while (const auto m = decoder.next()) {
                FUZZ_CHECK(m->kind != ws::opcode::continuation);
                const bool data = m->kind == ws::opcode::text || m->kind == ws::opcode::binary;
                FUZZ_CHECK(m->payload.size() <= (data ? limit : ws::max_control_payload));
                if (m->kind == ws::opcode::close)
                    FUZZ_CHECK(m->close_code == 0 ? m->payload.empty() : ws::sendable_close_code(m->close_code));
                else
                    FUZZ_CHECK(m->close_code == 0);
                out.messages.push_back({m->kind, std::string(m->payload), m->close_code});
            }
            FUZZ_CHECK(decoder.buffered() < limit + ws::max_header_length + ws::max_control_payload);
            if (decoder.buffered() == 0) FUZZ_CHECK(decoder.capacity() <= 1024);
        }
    } catch (const ws::error& e) {
        FUZZ_CHECK(e.close_code == ws::close_protocol_error || e.close_code == ws::close_too_big);
        out.refused = e.close_code;
    }
    return out;
}

// A server frame as a client sends it: the mask bit set, `key` after the length, the payload XORed.
void append_masked(std::string& out, std::string_view server_frame, const unsigned char (&key)[4]) {
    const auto short_length = static_cast<unsigned char>(server_frame[1]) & 0x7f;
    const std::size_t header = 2 + (short_length == 126 ? 2 : short_length == 127 ? 8 : 0);
    out.push_back(server_frame[0]);
    out.push_back(static_cast<char>(server_frame[1] | 0x80));
    out.append(server_frame.substr(2, header - 2));
    out.append(reinterpret_cast<const char*>(key), 4);
    const auto payload = server_frame.substr(header);
    for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
}

std::string encoded(const said& m) {
    if (m.kind == ws::opcode::close && m.close_code != 0) return ws::close_frame(m.close_code, m.payload);
    return ws::frame(m.kind, m.payload);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider fdp(data, size);
    const auto limit = fdp.ConsumeIntegralInRange<std::size_t>(0, 1024);
    const chunked_input in = netkit::fuzz::take_chunked(fdp);

    const outcome reference = decode(limit, netkit::fuzz::whole(in.stream));
    FUZZ_CHECK(decode(limit, in.chunks()) == reference);
    FUZZ_CHECK(decode(limit, netkit::fuzz::bytewise(in.stream)) == reference);

    const unsigned char key[4] = {static_cast<unsigned char>(in.sizes[0] - 1), static_cast<unsigned char>(in.sizes[1] - 1),
                                  static_cast<unsigned char>(in.sizes[2] - 1), static_cast<unsigned char>(in.sizes[3] - 1)};
    std::string again;
    for (const auto& m : reference.messages) append_masked(again, encoded(m), key);
    const outcome decoded = decode(limit, chunked_input{again, in.sizes}.chunks());
    FUZZ_CHECK(decoded.refused == 0);
    FUZZ_CHECK(decoded.messages == reference.messages);
    return 0;
}
