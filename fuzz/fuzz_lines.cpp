// line_decoder (nc/telnet line framing) on arbitrary bytes in arbitrary reads.
// Properties: no line exceeds the limit nor holds a "\n"; after draining, at most limit + 1 bytes
// (a maximal line and its "\r") are buffered; lines, error and the unterminated tail given by
// finish() do not depend on the chunking; decode(encode(lines)) gives the lines back.
#include "check.hpp"
#include "chunks.hpp"

#include <netkit/framing/lines.hpp>

#include <optional>
#include <string>
#include <vector>

namespace {

using netkit::fuzz::chunked_input;
namespace framing = netkit::framing;

struct outcome {
    std::vector<std::string> lines;
    std::optional<std::string> tail;  // what finish() returned
    bool failed = false;
    bool operator==(const outcome&) const = default;
};

void check_line(std::string_view line, std::size_t limit) {
    FUZZ_CHECK(line.size() <= limit);
    FUZZ_CHECK(line.find('\n') == std::string_view::npos);
}

outcome decode(std::size_t limit, const std::vector<std::string_view>& chunks) {
    outcome out;
    framing::line_decoder decoder(limit);
    try {
        for (const auto chunk : chunks) {
            decoder.feed(chunk);
            while (const auto line = decoder.next()) {
                check_line(*line, limit);
                out.lines.emplace_back(*line);
            }
            FUZZ_CHECK(decoder.buffered() <= limit + 1);
        }
        if (const auto tail = decoder.finish()) {
            check_line(*tail, limit);
            out.tail = std::string(*tail);
        }
    } catch (const framing::error&) {
        out.failed = true;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider fdp(data, size);
    const auto limit = fdp.ConsumeIntegralInRange<std::size_t>(0, 1024);
    const chunked_input in = netkit::fuzz::take_chunked(fdp);

    const outcome reference = decode(limit, netkit::fuzz::whole(in.stream));
    FUZZ_CHECK(decode(limit, in.chunks()) == reference);
    FUZZ_CHECK(decode(limit, netkit::fuzz::bytewise(in.stream)) == reference);

    // "\r\n" ends every line: a line that itself ends in "\r" keeps it, as the decoder drops
    // only the one "\r" before the "\n".
    std::string encoded;
    for (const auto& line : reference.lines) encoded += line + "\r\n";
    const outcome again = decode(limit, chunked_input{encoded, in.sizes}.chunks());
    FUZZ_CHECK(!again.failed);
    FUZZ_CHECK(again.lines == reference.lines);
    FUZZ_CHECK(!again.tail);
    return 0;
}
