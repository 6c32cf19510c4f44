#include <netkit/tls/client.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace netkit::tls {

namespace {

// OpenSSL's reason for the last failure ("no such file", "key values mismatch"), for one line.
std::string last_openssl_error() {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) return "unknown error";
    const char* reason = ERR_reason_error_string(code);
    return reason ? reason : "error " + std::to_string(code);
}

}  // namespace

std::shared_ptr<const boost::asio::ssl::context> client_context(const client_options& o) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = context->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (o.insecure) {
        SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
        if (o.ca_file.empty()) {
            if (SSL_CTX_set_default_verify_paths(native) != 1)
                throw config_error("the system's certificate store: " + last_openssl_error());
        } else if (SSL_CTX_load_verify_locations(native, o.ca_file.c_str(), nullptr) != 1) {
            throw config_error("--ca " + o.ca_file + ": " + last_openssl_error());
        }
    }
    if (o.cert_file.empty() != o.key_file.empty()) throw config_error("--cert and --key go together");
    if (!o.cert_file.empty()) {
        if (SSL_CTX_use_certificate_chain_file(native, o.cert_file.c_str()) != 1)
            throw config_error("--cert " + o.cert_file + ": " + last_openssl_error());
        if (SSL_CTX_use_PrivateKey_file(native, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
            throw config_error("--key " + o.key_file + ": " + last_openssl_error());
        if (SSL_CTX_check_private_key(native) != 1)
            throw config_error("--key " + o.key_file + ": " + last_openssl_error());
    }
    return context;
}

}  // namespace netkit::tls
