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
    // After a client leaves (or the server stops), how long what is still queued for it may take
    // to go out before the connection is closed anyway: a client that stopped reading cannot keep
    // its session open.
    std::chrono::milliseconds flush_timeout{10000};
};

}  // namespace netkit::chat
