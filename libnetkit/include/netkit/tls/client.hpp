// The client side of TLS: what a command-line client was told (--tls, --ca, --insecure,
// --server-name, --cert/--key) and the OpenSSL context that verifies the server accordingly.
#pragma once

#include <netkit/tls/server_context.hpp>  // config_error

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace netkit::tls {

struct client_options {
    bool enabled = false;        // --tls
    std::string ca_file;         // --ca FILE; empty: the system store
    bool insecure = false;       // --insecure: no verification (a warning on stderr says so)
    std::string server_name;     // host name to check and send as SNI; default: the HOST argument
    std::string cert_file, key_file;  // optional client certificate (mutual TLS)
};

// A client context that verifies the server (peer verification + host name check), or throws
// config_error for unreadable files. TLS 1.2 is the oldest version offered, compression and
// renegotiation are off. The host name itself is set per connection (client_connection), since
// one context may serve several servers.
std::shared_ptr<const boost::asio::ssl::context> client_context(const client_options&);

}  // namespace netkit::tls
