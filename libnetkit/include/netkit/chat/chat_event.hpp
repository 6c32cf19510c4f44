// What happens in a chat room, as the hub and the bus pass it on: a message, a join or a leave.
#pragma once

#include <string>

namespace netkit::chat {

struct chat_event {
    enum class kind { message, joined, left };
    kind type = kind::message;
    std::string name;  // who sent, joined or left (as the user spelled it)
    std::string text;  // the message text; empty for joined/left
};

}  // namespace netkit::chat
