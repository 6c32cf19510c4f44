// Limits of a chat hub's sessions.
#pragma once

#include <chrono>
#include <cstddef>

namespace netkit::chat {

struct chat_options {
    // Longest message (header payload, or line without its "\n") a client may send; over it the
    // client is disconnected (header) or told and disconnected (line).
    std::size_t max_message = 65536;
    // Bytes queued for one client that it has not read yet. A client that falls further behind is
    // a slow consumer: it is disconnected and logged so it never holds up or bloats the server.
    std::size_t max_queue = 1024 * 1024;
};

}  // namespace netkit::chat
