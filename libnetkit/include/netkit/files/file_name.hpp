// Which names the file service accepts: a single path component that cannot reach outside the
// directory nor collide with the service's own hidden temporary files.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace netkit::files {

inline constexpr std::size_t max_file_name_length = 255;  // bytes: NAME_MAX of Linux filesystems

// Empty when `name` may be stored; otherwise the reason it may not, e.g. "names may not contain '/'".
// Rules: 1-255 bytes, no '/', no NUL or other control character (0x00-0x1f, 0x7f), not "." or
// "..", no leading '.' (hidden names are the service's own).
std::string file_name_problem(std::string_view name);

}  // namespace netkit::files
