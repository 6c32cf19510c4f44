// What a chat node counts for /metrics (see docs/operations.md), registered once in the server's
// registry; sessions update it through chat_options::metrics, the Redis bus through its options.
#pragma once

#include <netkit/metrics/registry.hpp>

namespace netkit::chat {

struct chat_metrics {
    explicit chat_metrics(metrics::registry& r);

    metrics::counter& messages_in;     // messages local clients said
    metrics::counter& bytes_in;        // bytes read from clients (names, messages, framing)
    metrics::counter& messages_out;    // frames queued to clients went out: messages and notices
    metrics::counter& bytes_out;       // bytes written to clients
    metrics::counter& slow_consumers;  // clients dropped for not reading
    metrics::gauge& members;           // clients joined on this node
    metrics::gauge& names_claimed;     // names this node holds (joined, or claimed and joining)
};

// Only for a node with a bus to other nodes (--bus).
struct bus_metrics {
    explicit bus_metrics(metrics::registry& r);

    metrics::gauge& connected;          // 1 while both Redis connections are up, else 0
    metrics::counter& events_dropped;   // local events that did not reach the other nodes
};

}  // namespace netkit::chat
