// Sends a whole buffer on a TCP socket, trying a plain non-blocking send first.
//
// Most replies fit in the kernel's send buffer at once. asio::async_write would still hand its
// completion to the scheduler as a new handler (and, with several threads, wake another thread
// to run it); sending directly skips that round trip. Only what the kernel did not take is
// written asynchronously. The socket is left in non-blocking mode.
#pragma once

#include <netkit/asio.hpp>

namespace netkit {

asio::awaitable<boost::system::error_code> write_all(tcp::socket& socket, asio::const_buffer data);

}  // namespace netkit
