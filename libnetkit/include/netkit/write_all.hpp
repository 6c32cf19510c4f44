// Sends a whole buffer on a TCP socket or a stream (plain or TLS), trying a non-blocking send first.
//
// Most replies fit in the kernel's send buffer at once. asio::async_write would still hand its
// completion to the scheduler as a new handler (and, with several threads, wake another thread
// to run it); sending directly skips that round trip. Only what the kernel did not take is
// written asynchronously. The socket is left in non-blocking mode.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/stream.hpp>

namespace netkit {

asio::awaitable<boost::system::error_code> write_all(tcp::socket& socket, asio::const_buffer data);
asio::awaitable<boost::system::error_code> write_all(stream& s, asio::const_buffer data);

}  // namespace netkit
