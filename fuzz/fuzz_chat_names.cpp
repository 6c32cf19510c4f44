// Chat user names (name_problem, name_key) on arbitrary bytes.
// Properties: an accepted name is 1-32 bytes of valid UTF-8 (by the reference decoder) with no
// control character, tab included, and is not "server" in any ASCII letter case nor shares the
// reserved name's key; a refusal gives a reason; for accepted names name_key folds ASCII case (Bob
// and bob share a key). name_key is a UTS #39 skeleton, which is not idempotent in general, and
// nothing relies on that: keys are only compared, never keyed again. A renamed user's name
// (suffixed_name: "name~N", cut to fit) is accepted too, and begins with a prefix of the name.
#include "check.hpp"
#include "utf8_reference.hpp"

#include <netkit/chat/names.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

namespace {

namespace chat = netkit::chat;

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view name(reinterpret_cast<const char*>(data), size);
    if (const auto problem = chat::name_problem(name)) {
        FUZZ_CHECK(!problem->empty());
        return 0;
    }
    FUZZ_CHECK(!name.empty() && name.size() <= chat::max_name_bytes);
    const auto points = netkit::fuzz::decode_utf8(name);
    FUZZ_CHECK(points.has_value());
    FUZZ_CHECK(std::none_of(points->begin(), points->end(),
                            [](char32_t cp) { return cp == U'\t' || netkit::fuzz::is_control(cp); }));
    FUZZ_CHECK(ascii_lower(name) != chat::server_name);
    const std::string key = chat::name_key(name);
    FUZZ_CHECK(chat::name_key(ascii_lower(name)) == key);
    FUZZ_CHECK(key != chat::name_key(chat::server_name));
    for (unsigned n : {2u, 10u, chat::max_rename_suffix}) {
        const std::string renamed = chat::suffixed_name(name, n);
        FUZZ_CHECK(!chat::name_problem(renamed));
        const auto tilde = renamed.rfind('~');
        FUZZ_CHECK(tilde != std::string::npos && tilde > 0 && name.starts_with(renamed.substr(0, tilde)));
    }
    return 0;
}
