// A certificate, key or CA file that cannot be used: one line naming the file and the reason.
#pragma once

#include <stdexcept>

namespace netkit::tls {

struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace netkit::tls
