// file_name_problem on arbitrary names, against the rules in file_name.hpp written out again.
// Properties: a name is accepted exactly when it is 1-255 bytes, holds no '/' and no control
// character (0x00-0x1f, 0x7f), and does not start with '.'; a refusal always gives a reason.
#include "check.hpp"

#include <netkit/files/file_name.hpp>

#include <algorithm>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view name(reinterpret_cast<const char*>(data), size);
    const bool allowed = !name.empty() && name.size() <= netkit::files::max_file_name_length && name.front() != '.' &&
                         std::none_of(name.begin(), name.end(), [](char c) {
                             const auto byte = static_cast<unsigned char>(c);
                             return c == '/' || byte < 0x20 || byte == 0x7f;
                         });
    FUZZ_CHECK(netkit::files::file_name_problem(name).empty() == allowed);
    return 0;
}
