// A TLS server's policy and certificate pair, checked when loaded and replaceable while the server
// runs (a renewal): what every TLS listener hands to the handshakes it starts.
#pragma once

#include <netkit/asio.hpp>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace netkit::tls {

struct server_files {
    std::string cert_file;       // PEM chain, leaf first
    std::string key_file;        // PEM private key
    std::string client_ca_file;  // empty: no client certificates; else required and verified (mutual TLS)
};

// A certificate/key that cannot be read, does not match, is expired or not yet valid: the message is
// one line naming the file and the reason ("--tls-cert /x.pem: certificate expired on 2026-12-01").
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The policy: TLS 1.2 minimum (1.3 preferred: OpenSSL negotiates the highest both speak), Mozilla's
// "intermediate" cipher profile (version 5.7) for TLS 1.2, no compression, no renegotiation,
// session tickets for resumption. Thread-safe.
class server_context {
public:
    explicit server_context(server_files files);  // loads and checks; throws config_error
    // Re-reads the same files (a renewal). On any problem throws config_error and keeps the old pair;
    // connections already open are never affected (each holds the context it started with).
    void reload();
    // The context new handshakes use (replaced by reload()).
    std::shared_ptr<const asio::ssl::context> current() const;
    const server_files& files() const { return files_; }

private:
    const server_files files_;
    mutable std::mutex mutex_;  // guards current_ (one pointer copy under it)
    std::shared_ptr<const asio::ssl::context> current_;
};

}  // namespace netkit::tls
