// What happens in a chat room, as the hub and the bus pass it on: a message, a join or a leave; and
// in a big room, the joins and leaves of one interval gathered into one batch.
#pragma once

#include <string>
#include <vector>

namespace netkit::chat {

struct chat_event {
    enum class kind { message, joined, left, batch };
    kind type = kind::message;
    std::string name;  // who sent, joined or left (as the user spelled it); empty for a batch
    std::string text;  // the message text; empty for joined/left/batch
    // A batch only: who joined and who left during the interval, in order, from this node and
    // others. Each node gathers its own batches; a batch never crosses the bus.
    std::vector<std::string> joined{}, left{};
};

}  // namespace netkit::chat
