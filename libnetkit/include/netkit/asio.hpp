// Short names for the Boost.Asio namespaces every netkit header uses.
#pragma once

#include <boost/asio.hpp>

namespace netkit {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
}  // namespace netkit
