// `--bus URL` of `netkit serve chat`: which bus links this node's chat hub to other nodes.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/chat/bus.hpp>
#include <netkit/log.hpp>

#include <memory>
#include <string>

namespace netkit::cli {

// "" → in_process_bus (this node alone); "redis://HOST:PORT[/prefix]" → chat::redis_bus.
// Anything else throws usage_error.
std::unique_ptr<chat::bus> make_chat_bus(const std::string& url, asio::io_context& io, logger& log);

}  // namespace netkit::cli
