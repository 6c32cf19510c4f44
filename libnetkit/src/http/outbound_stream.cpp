#include <netkit/http/outbound_stream.hpp>

namespace netkit {

void teardown(boost::beast::role_type, outbound_stream& s, boost::system::error_code& ec) {
    s.queue().seal();
    ec = {};
}

}  // namespace netkit
