#include <netkit/chat/chat_metrics.hpp>

namespace netkit::chat {

chat_metrics::chat_metrics(metrics::registry& r)
    : messages_in(r.add_counter("netkit_chat_messages_in_total", "Chat messages received from local clients.")),
      bytes_in(r.add_counter("netkit_chat_bytes_in_total", "Bytes received from chat clients.")),
      messages_out(r.add_counter("netkit_chat_messages_out_total",
                                 "Frames sent to chat clients (messages, joins, leaves and other notices).")),
      bytes_out(r.add_counter("netkit_chat_bytes_out_total", "Bytes sent to chat clients.")),
      slow_consumers(r.add_counter("netkit_chat_slow_consumers_dropped_total",
                                   "Chat clients disconnected because they stopped reading.")),
      members(r.add_gauge("netkit_chat_members", "Chat clients joined on this node.")),
      names_claimed(r.add_gauge("netkit_chat_names_claimed", "Chat names held by this node's clients.")) {}

bus_metrics::bus_metrics(metrics::registry& r)
    : connected(r.add_gauge("netkit_chat_bus_connected", "1 while this node's connections to Redis are up, else 0.")),
      events_dropped(r.add_counter("netkit_chat_bus_events_dropped_total",
                                   "Local chat events not shared with the other nodes (Redis down or too slow).")) {}

}  // namespace netkit::chat
