// length_header_decoder (lesson 003 framing) on arbitrary bytes in arbitrary reads.
// Properties: frames never exceed the limit; after draining, less than one header plus one
// maximal payload is buffered; the frames and the error do not depend on the chunking;
// decode(encode(frames)) gives the frames back; parse_length_header accepts only space-padded
// decimal digits and returns their value.
#include "check.hpp"
#include "chunks.hpp"

#include <netkit/framing/length_header.hpp>

#include <string>
#include <vector>

namespace {

using netkit::fuzz::chunked_input;
namespace framing = netkit::framing;

struct outcome {
    std::vector<std::string> frames;
    bool failed = false;
    bool operator==(const outcome&) const = default;
};

outcome decode(std::size_t limit, const std::vector<std::string_view>& chunks) {
    outcome out;
    framing::length_header_decoder decoder(limit);
    try {
        for (const auto chunk : chunks) {
            decoder.feed(chunk);
            while (const auto frame = decoder.next()) {
                FUZZ_CHECK(frame->size() <= limit);
                out.frames.emplace_back(*frame);
            }
            FUZZ_CHECK(decoder.buffered() < framing::header_length + limit);
        }
    } catch (const framing::error&) {
        out.failed = true;
    }
    return out;
}

void check_header_parser(std::string_view header) {
    const auto value = framing::parse_length_header(header);
    if (!value) return;
    FUZZ_CHECK(header.size() == framing::header_length);
    const auto first = header.find_first_not_of(' ');
    const auto last = header.find_last_not_of(' ');
    FUZZ_CHECK(first != std::string_view::npos);
    std::size_t expected = 0;
    for (const char c : header.substr(first, last - first + 1)) {
        FUZZ_CHECK(c >= '0' && c <= '9');
        expected = expected * 10 + static_cast<std::size_t>(c - '0');
    }
    FUZZ_CHECK(*value == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider fdp(data, size);
    const auto limit = fdp.ConsumeIntegralInRange<std::size_t>(0, 1024);
    const chunked_input in = netkit::fuzz::take_chunked(fdp);

    const outcome reference = decode(limit, netkit::fuzz::whole(in.stream));
    FUZZ_CHECK(decode(limit, in.chunks()) == reference);
    FUZZ_CHECK(decode(limit, netkit::fuzz::bytewise(in.stream)) == reference);

    std::string encoded;
    for (const auto& frame : reference.frames) framing::append_length_frame(encoded, frame);
    const outcome again = decode(limit, chunked_input{encoded, in.sizes}.chunks());
    FUZZ_CHECK(!again.failed);
    FUZZ_CHECK(again.frames == reference.frames);

    check_header_parser(std::string_view(in.stream).substr(0, framing::header_length));
    return 0;
}
