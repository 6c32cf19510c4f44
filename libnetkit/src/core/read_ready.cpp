#include <netkit/read_ready.hpp>

#include <array>

namespace netkit {

std::optional<std::string_view> read_ready(stream& s) {
    // One buffer per thread serves every session on it: an idle connection holds none.
    thread_local std::array<char, 64 * 1024> scratch;
    boost::system::error_code ec;
    const std::size_t n = s.read_some_now(asio::buffer(scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return std::string_view();
    if (ec || n == 0) return std::nullopt;
    return std::string_view(scratch.data(), n);
}

}  // namespace netkit
