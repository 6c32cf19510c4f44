#include <netkit/chat/names.hpp>

#include <netkit/chat/text.hpp>

namespace netkit::chat {

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return "the name is empty";
    if (name.size() > max_name_bytes)
        return "the name is longer than " + std::to_string(max_name_bytes) + " bytes";
    if (!is_valid_utf8(name)) return "the name is not valid UTF-8";
    if (has_control(name) || name.find('\t') != std::string_view::npos) return "the name holds control characters";
    if (name_key(name) == server_name) return "'" + std::string(name) + "' is reserved for server notices";
    return std::nullopt;
}

std::string name_key(std::string_view name) {
    std::string key(name);
    for (auto& c : key)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return key;
}

}  // namespace netkit::chat
