// `--bus URL` of `netkit serve chat`: which bus links this node's chat hub to other nodes.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/chat/bus.hpp>
#include <netkit/chat/chat_metrics.hpp>
#include <netkit/log.hpp>

#include <memory>
#include <string>

namespace netkit::cli {

// "" → in_process_bus (this node alone); "redis://HOST:PORT[/prefix]" → chat::redis_bus.
// Anything else throws usage_error. A Redis bus counts into `metrics` when given.
std::unique_ptr<chat::bus> make_chat_bus(const std::string& url, asio::io_context& io, logger& log,
                                         chat::bus_metrics* metrics = nullptr);

}  // namespace netkit::cli
