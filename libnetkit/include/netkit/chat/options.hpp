// Limits of a chat hub's sessions.
#pragma once

#include <chrono>
#include <cstddef>

namespace netkit::chat {

struct chat_metrics;

struct chat_options {
    // Longest message (header payload, or line without its "\n") a client may send; over it the
    // client is disconnected (header) or told and disconnected (line).
    std::size_t max_message = 65536;
    // Hard cap on the bytes queued for one client that it has not read yet: past it the client is
    // disconnected at once, whatever its pace, so no client can bloat the server.
    std::size_t max_queue = 1024 * 1024;
    // Counters to update (chat_metrics.hpp), owned by the caller and outliving the sessions;
    // nullptr: nothing is counted.
    chat_metrics* metrics = nullptr;
    // After a client leaves (or the server stops), how long what is still queued for it may take
    // to go out before the connection is closed anyway: a client that stopped reading cannot keep
    // its session open.
    std::chrono::milliseconds flush_timeout{10000};
    // A connection that has not joined (a valid, free name) within this time is told and closed,
    // so sockets that never speak cannot hold --max-connections slots.
    std::chrono::milliseconds login_timeout{30000};
    // The flood rule. A client whose queue is above the high-water mark (max_queue / 4) slows its
    // senders down: a sender is not read again until every recipient of its last message is below
    // the mark, or until stall_timeout has passed. A client whose queue stays above the mark
    // without any of it being sent for stall_timeout has stopped reading: it is dropped as a slow
    // consumer. A reader that keeps reading is never dropped for being slower than a sender.
    std::chrono::milliseconds stall_timeout{5000};
    // Big rooms. Up to announce_limit members every join and leave is announced at once; above it
    // they are gathered and announced as one notice per announce_interval ("12 joined, 3 left"),
    // so N joins cost about N sends per interval instead of N²/2. 0 gathers them always.
    std::size_t announce_limit = 1000;
    std::chrono::milliseconds announce_interval{10000};

    std::size_t high_water() const { return max_queue / 4; }
};

}  // namespace netkit::chat
