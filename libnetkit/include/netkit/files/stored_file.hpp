// One entry of the file service's listing (LIST): a stored file's name and size.
#pragma once

#include <cstdint>
#include <string>

namespace netkit::files {

struct stored_file {
    std::string name;
    std::uint64_t size = 0;
};

}  // namespace netkit::files
