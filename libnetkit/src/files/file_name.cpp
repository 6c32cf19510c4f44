#include <netkit/files/file_name.hpp>

namespace netkit::files {

std::string file_name_problem(std::string_view name) {
    if (name.empty()) return "empty name";
    if (name.size() > max_file_name_length)
        return "name longer than " + std::to_string(max_file_name_length) + " bytes";
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '/') return "names may not contain '/'";
        if (byte < 0x20 || byte == 0x7f) return "names may not contain control characters";
    }
    if (name == "." || name == "..") return "'.' and '..' are not file names";
    if (name.front() == '.') return "names may not start with '.'";
    return {};
}

}  // namespace netkit::files
