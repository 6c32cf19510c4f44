// The error of the file service: what() is the reason the client reads after "ERR ".
#pragma once

#include <stdexcept>

namespace netkit::files {

// Thrown for a request the service refuses or cannot complete. The text goes on the wire, so it
// names the file as the client did and never a server-side path.
struct files_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace netkit::files
