// What every fuzz target shares: FUZZ_CHECK aborts on a broken property, so libFuzzer keeps the
// input as a crash, and names the property so the report says what failed, not only where.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace netkit::fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
    std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", what, file, line);
    std::abort();
}

}  // namespace netkit::fuzz

#define FUZZ_CHECK(cond) ((cond) ? void(0) : ::netkit::fuzz::check_failed(#cond, __FILE__, __LINE__))
