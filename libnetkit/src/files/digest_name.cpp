// The digest words of the protocol, apart from the hashing itself so that the request parser (and
// its fuzz target) needs neither OpenSSL nor xxHash.
#include <netkit/files/digest.hpp>

namespace netkit::files {

std::string_view digest_name(digest_kind kind) { return kind == digest_kind::xxh128 ? "xxh128" : "sha256"; }

std::optional<digest_kind> parse_digest_name(std::string_view word) {
    if (word == "sha256") return digest_kind::sha256;
    if (word == "xxh128") return digest_kind::xxh128;
    return std::nullopt;
}

}  // namespace netkit::files
