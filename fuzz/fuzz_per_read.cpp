// per_read_decoder (one read is one message, lesson 004's report) on arbitrary reads.
// Properties: every message is 1 to max_message bytes; the messages of one read, joined, are that
// read without its trailing "\n" or "\r\n"; nothing is left over once next() says nullopt.
#include "check.hpp"
#include "chunks.hpp"

#include <netkit/framing/per_read.hpp>

#include <algorithm>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider fdp(data, size);
    const auto limit = fdp.ConsumeIntegralInRange<std::size_t>(0, 1024);
    const auto in = netkit::fuzz::take_chunked(fdp);
    const std::size_t effective = std::max<std::size_t>(limit, 1);  // 0 means 1, as documented

    netkit::framing::per_read_decoder decoder(limit);
    for (std::string_view read : in.chunks()) {
        decoder.feed(read);
        std::string joined;
        std::size_t count = 0;
        while (const auto message = decoder.next()) {
            FUZZ_CHECK(!message->empty());
            FUZZ_CHECK(message->size() <= effective);
            joined.append(*message);
            ++count;
        }
        if (read.ends_with("\r\n")) read.remove_suffix(2);
        else if (read.ends_with('\n')) read.remove_suffix(1);
        FUZZ_CHECK(joined == read);
        FUZZ_CHECK(count == (read.size() + effective - 1) / effective);
        FUZZ_CHECK(!decoder.next());
    }
    return 0;
}
