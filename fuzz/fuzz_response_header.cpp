// parse_header (the exec client reading the server's `<STATUS> <code> <length>[ truncated]`) on
// arbitrary lines, and format_header on arbitrary headers.
// Properties: a parsed header has a non-negative code and formats to a line that parses back to
// it; parse(format(h)) == h for every header the server can send.
#include "check.hpp"

#include <netkit/exec/response_header.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <limits>
#include <string>

namespace {

bool same(const netkit::exec::response_header& a, const netkit::exec::response_header& b) {
    return a.status == b.status && a.code == b.code && a.length == b.length && a.truncated == b.truncated;
}

void check_round_trip(const netkit::exec::response_header& header) {
    std::string line = netkit::exec::format_header(header);
    FUZZ_CHECK(line.ends_with('\n'));
    line.pop_back();
    FUZZ_CHECK(line.find('\n') == std::string::npos);
    const auto parsed = netkit::exec::parse_header(line);
    FUZZ_CHECK(parsed.has_value());
    FUZZ_CHECK(same(*parsed, header));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The whole input is a line as the server may send it ...
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    if (const auto parsed = netkit::exec::parse_header(line)) {
        FUZZ_CHECK(parsed->code >= 0);
        check_round_trip(*parsed);
    }

    // ... and, read again as numbers, a header as the server makes it.
    FuzzedDataProvider fdp(data, size);
    netkit::exec::response_header made;
    made.status = fdp.PickValueInArray({netkit::exec::exec_status::exit, netkit::exec::exec_status::signal,
                                        netkit::exec::exec_status::timeout, netkit::exec::exec_status::denied,
                                        netkit::exec::exec_status::error});
    made.code = fdp.ConsumeIntegralInRange<int>(0, std::numeric_limits<int>::max());
    made.length = fdp.ConsumeIntegral<std::size_t>();
    made.truncated = fdp.ConsumeBool();
    check_round_trip(made);
    return 0;
}
