// Connecting a blocking client to HOST:PORT, with errors a user can act on.
#pragma once

#include <netkit/asio.hpp>

#include <string>

namespace netkit {

// Resolves HOST:PORT, tries each address in turn and sets TCP_NODELAY (clients here exchange
// small requests and answers). Throws std::runtime_error("cannot resolve|connect to H:P: reason").
tcp::socket connect_tcp(asio::io_context& io, const std::string& host, const std::string& port);

}  // namespace netkit
