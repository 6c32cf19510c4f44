// Splitting one fuzz input into a stream and the reads it arrives in, so a decoder target can
// check that the frames do not depend on how TCP happened to cut the bytes.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace netkit::fuzz {

// The read sizes come from the input's last four bytes (FuzzedDataProvider takes numbers from the
// end), each one 1-256, used in turn; the stream is the rest.
struct chunked_input {
    std::string stream;
    std::array<std::size_t, 4> sizes{};

    std::vector<std::string_view> chunks() const {
        std::vector<std::string_view> out;
        std::string_view rest = stream;
        for (std::size_t i = 0; !rest.empty(); ++i) {
            const auto n = std::min(sizes[i % sizes.size()], rest.size());
            out.push_back(rest.substr(0, n));
            rest.remove_prefix(n);
        }
        return out;
    }
};

inline chunked_input take_chunked(FuzzedDataProvider& fdp) {
    chunked_input in;
    for (auto& size : in.sizes) size = std::size_t{1} + fdp.ConsumeIntegral<unsigned char>();
    in.stream = fdp.ConsumeRemainingBytesAsString();
    return in;
}

// The same bytes one at a time and all at once: the two extremes of chunking.
inline std::vector<std::string_view> bytewise(std::string_view stream) {
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < stream.size(); ++i) out.push_back(stream.substr(i, 1));
    return out;
}

inline std::vector<std::string_view> whole(std::string_view stream) {
    if (stream.empty()) return {};
    return {stream};
}

}  // namespace netkit::fuzz
