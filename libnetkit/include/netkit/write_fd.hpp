// Blocking write of a whole buffer to a file descriptor (a file, a pipe, standard output), for the
// command-line clients. The sessions' asynchronous counterpart for sockets is write_all.hpp.
#pragma once

#include <span>

namespace netkit {

// Writes all of `data`, resuming after short writes and EINTR. False on failure, with errno set.
bool write_fd(int fd, std::span<const char> data);

}  // namespace netkit
