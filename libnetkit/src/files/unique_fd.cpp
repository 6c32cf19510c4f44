#include <netkit/files/unique_fd.hpp>

#include <unistd.h>

namespace netkit::files {

void unique_fd::reset(int fd) noexcept {
    // close(2) releases the descriptor even when it reports an error: never retry it.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}  // namespace netkit::files
