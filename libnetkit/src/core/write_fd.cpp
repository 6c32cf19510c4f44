#include <netkit/write_fd.hpp>

#include <unistd.h>

#include <cerrno>

namespace netkit {

bool write_fd(int fd, std::span<const char> data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace netkit
