#include <netkit/chat/protocol.hpp>

#include <netkit/chat/wire.hpp>

namespace netkit::chat {

std::string protocol::welcome(std::string_view name, std::size_t present, bool /*big_room*/) const {
    std::string text = "Welcome " + std::string(name) + "! Users here: " + std::to_string(present) + ".";
    if (!quit().empty()) text += " Type " + std::string(quit()) + " to leave the chat.";
    return text;
}

std::string protocol::checked_here_only() const { return std::string(checked_here_only_notice); }

std::string protocol::renamed(std::string_view old_name, std::string_view new_name) const {
    return renamed_text(old_name, new_name);
}

}  // namespace netkit::chat
