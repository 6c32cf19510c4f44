#include "tls_server_options.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace netkit::cli {

namespace {

// "CN=localhost" of the certificate new handshakes present, for the reload log line.
std::string subject_of(const tls::server_context& context) {
    const auto current = context.current();
    X509* cert = SSL_CTX_get0_certificate(const_cast<asio::ssl::context&>(*current).native_handle());
    if (!cert) return "no certificate";
    char text[256];
    const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, text, sizeof text);
    return n < 0 ? "no common name" : "CN=" + std::string(text, static_cast<std::size_t>(n));
}

}  // namespace

void add_tls_server_options(po::options_description& options, tls_server_settings& s) {
    options.add_options()
        ("tls-cert", po::value(&s.cert_file)->value_name("FILE"),
         "serve TLS with this certificate chain (PEM, leaf first: e.g. an ACME client's fullchain.pem)")
        ("tls-key", po::value(&s.key_file)->value_name("FILE"), "the private key of --tls-cert (PEM, e.g. privkey.pem)")
        ("tls-client-ca", po::value(&s.client_ca_file)->value_name("FILE"),
         "require a client certificate signed by a CA in FILE (mutual TLS)")
        ("handshake-timeout", po::value(&s.handshake_seconds)->default_value(s.handshake_seconds),
         "seconds a new TLS connection has to complete its handshake before it is closed");
}

tls_listeners::tls_listeners(const tls_server_settings& s)
    : handshake_timeout_(seconds_option(s.handshake_seconds, "--handshake-timeout", false)) {
    if (s.cert_file.empty() != s.key_file.empty()) throw usage_error("--tls-cert and --tls-key go together");
    if (s.cert_file.empty()) {
        if (!s.client_ca_file.empty()) throw usage_error("--tls-client-ca needs --tls-cert and --tls-key");
        return;
    }
    try {
        context_ = std::make_shared<tls::server_context>(
            tls::server_files{.cert_file = s.cert_file, .key_file = s.key_file, .client_ca_file = s.client_ca_file});
    } catch (const tls::config_error& e) {
        throw usage_error(e.what());
    }
}

tcp_server_options tls_listeners::apply(tcp_server_options options) const {
    options.tls = context_;
    options.handshake_timeout = handshake_timeout_;
    return options;
}

void tls_listeners::reload_on_sighup(server_host& host) const {
    if (!context_) return;
    host.on_reload([context = context_, &log = host.log()] {
        try {
            context->reload();
            log.info("reloaded TLS certificate (", subject_of(*context), ") from ", context->files().cert_file);
        } catch (const tls::config_error& e) {
            log.error("TLS certificate not reloaded, the previous one stays in use: ", e.what());
        }
    });
}

}  // namespace netkit::cli
