#include <netkit/exec/exposure.hpp>

namespace netkit::exec {

bool is_loopback(const asio::ip::address& address) {
    if (address.is_v4()) return address.to_v4().is_loopback();
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
    return v6.is_loopback();
}

std::optional<std::string> exposure_problem(const asio::ip::address& bind, bool has_token) {
    if (has_token || is_loopback(bind)) return std::nullopt;
    return "refusing to listen on " + bind.to_string() +
           " without --token-file: anyone who can reach that address could run commands here. "
           "Give --token-file FILE, or bind to 127.0.0.1 or ::1 to stay local.";
}

}  // namespace netkit::exec
