// What a codec throws when the peer's bytes break the framing rules.
#pragma once

#include <stdexcept>

namespace netkit::framing {

// The stream cannot be decoded any further: the connection should be closed. The message says
// what was wrong in words a client's author can act on.
struct error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace netkit::framing
