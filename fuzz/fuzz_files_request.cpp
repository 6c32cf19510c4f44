// parse_files_request (`PUT <name> <size>`, `GET <name>`, `LIST`) and parse_byte_count on
// arbitrary lines.
// Properties: the only exception is files_error; an accepted name obeys the documented rules,
// checked here independently of file_name_problem (1-255 bytes, no '/', no control character,
// no leading '.'); formatting an accepted request and parsing it again gives the same request;
// a byte count is decimal digits whose value fits in 64 bits.
#include "check.hpp"

#include <netkit/files/error.hpp>
#include <netkit/files/file_name.hpp>
#include <netkit/files/request.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace {

void check_name(std::string_view name) {
    FUZZ_CHECK(!name.empty());
    FUZZ_CHECK(name.size() <= netkit::files::max_file_name_length);
    FUZZ_CHECK(name.front() != '.');
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        FUZZ_CHECK(c != '/');
        FUZZ_CHECK(byte >= 0x20 && byte != 0x7f);
    }
}

std::string format(const netkit::files::files_request& request) {
    switch (request.what) {
    case netkit::files::files_request::verb::list: return "LIST";
    // The digest word is always written: a name may itself end in a digest word ("GET x xxh128
    // xxh128" names the file "x xxh128"), and only a trailing word makes that unambiguous.
    case netkit::files::files_request::verb::get:
        return "GET " + request.name + " " + std::string(netkit::files::digest_name(request.digest));
    case netkit::files::files_request::verb::put:
        return "PUT " + request.name + " " + std::to_string(request.size) + " " +
               std::string(netkit::files::digest_name(request.digest));
    }
    return {};
}

bool same(const netkit::files::files_request& a, const netkit::files::files_request& b) {
    return a.what == b.what && a.name == b.name && a.size == b.size && a.digest == b.digest;
}

void check_byte_count(std::string_view text) {
    const auto value = netkit::files::parse_byte_count(text);
    if (!value) return;
    FUZZ_CHECK(!text.empty());
    for (const char c : text) FUZZ_CHECK(c >= '0' && c <= '9');
    const auto digits = text.substr(std::min(text.find_first_not_of('0'), text.size() - 1));
    FUZZ_CHECK(std::to_string(*value) == digits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    check_byte_count(line);

    netkit::files::files_request request;
    try {
        request = netkit::files::parse_files_request(line);
    } catch (const netkit::files::files_error& e) {
        FUZZ_CHECK(*e.what() != '\0');
        return 0;
    }
    std::string_view bare = line;
    if (bare.ends_with('\r')) bare.remove_suffix(1);
    if (request.what == netkit::files::files_request::verb::list) {
        FUZZ_CHECK(bare == "LIST");
    } else {
        check_name(request.name);
        FUZZ_CHECK(request.name.size() < bare.size());
    }

    const std::string again = format(request);
    FUZZ_CHECK(same(netkit::files::parse_files_request(again), request));
    FUZZ_CHECK(same(netkit::files::parse_files_request(again + "\r"), request));
    return 0;
}
