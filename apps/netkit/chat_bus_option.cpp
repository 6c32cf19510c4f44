#include "chat_bus_option.hpp"

#include "cli_common.hpp"

#include <netkit/chat/redis_bus.hpp>

namespace netkit::cli {

std::unique_ptr<chat::bus> make_chat_bus(const std::string& url, asio::io_context& io, logger& log,
                                         chat::bus_metrics* metrics) {
    if (url.empty()) return std::make_unique<chat::in_process_bus>();
    std::string error;
    auto options = chat::parse_redis_url(url, error);
    if (!options) throw usage_error("--bus: " + error);
    options->metrics = metrics;
    return std::make_unique<chat::redis_bus>(io, std::move(*options), log);
}

}  // namespace netkit::cli
