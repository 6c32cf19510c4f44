// Reading what a connection holds, without a buffer of its own: for sessions that wait for the
// socket holding no buffer (stream::async_wait_readable) and then decode what arrived at once.
#pragma once

#include <netkit/stream.hpp>

#include <optional>
#include <string_view>

namespace netkit {

// Reads what `s` holds now, without blocking, into a 64 KiB buffer shared by every session of the
// calling thread: the view is valid until the caller's next suspension, so it must consume the
// bytes (feed a decoder) first. Empty when nothing was there after all; nullopt at the end of the
// stream or on an error.
std::optional<std::string_view> read_ready(stream& s);

}  // namespace netkit
