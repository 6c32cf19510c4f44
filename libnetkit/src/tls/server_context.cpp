#include <netkit/tls/server_context.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

namespace netkit::tls {

namespace {

// Mozilla's "intermediate" profile (https://ssl-config.mozilla.org, guidelines 5.7) for TLS 1.2:
// ECDHE (and DHE) key exchange with AEAD ciphers only, so every connection has forward secrecy.
// TLS 1.3 keeps OpenSSL's default suites, which are that profile's too (AES-GCM, ChaCha20-Poly1305).
constexpr const char* intermediate_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* intermediate_groups = "X25519:prime256v1:secp384r1";

// The reason of OpenSSL's last error ("key values mismatch"), and the queue emptied.
std::string openssl_reason() {
    unsigned long last = 0;
    while (const unsigned long e = ERR_get_error()) last = e;
    if (last == 0) return "unknown OpenSSL error";
    const char* reason = ERR_reason_error_string(last);
    return reason ? reason : "OpenSSL error " + std::to_string(last);
}

[[noreturn]] void fail(const char* option, const std::string& file, const std::string& why) {
    ERR_clear_error();
    throw config_error(std::string(option) + " " + file + ": " + why);
}

// Readable as a file: said plainly before OpenSSL's less helpful "system lib" error.
void check_readable(const char* option, const std::string& file) {
    if (file.empty()) throw config_error(std::string(option) + ": no file given");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!f) fail(option, file, std::strerror(errno));
}

std::string day_of(const ASN1_TIME* time) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1) return "an unreadable date";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

void check_validity(const std::string& file, const X509* leaf) {
    const ASN1_TIME* not_before = X509_get0_notBefore(leaf);
    const ASN1_TIME* not_after = X509_get0_notAfter(leaf);
    if (X509_cmp_current_time(not_after) <= 0) fail("--tls-cert", file, "certificate expired on " + day_of(not_after));
    if (X509_cmp_current_time(not_before) >= 0)
        fail("--tls-cert", file, "certificate not valid before " + day_of(not_before));
}

std::shared_ptr<const asio::ssl::context> load(const server_files& files) {
    check_readable("--tls-cert", files.cert_file);
    check_readable("--tls-key", files.key_file);
    if (!files.client_ca_file.empty()) check_readable("--tls-client-ca", files.client_ca_file);

    ERR_clear_error();
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* ctx = context->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // Compression invites CRIME-style attacks; renegotiation is a denial-of-service lever and a
    // source of past bugs; neither is needed. As the profile says, the client's cipher order wins
    // (it knows whether it has AES hardware).
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    // Every protocol served here delimits its own messages (lines, length headers, a file's size
    // announced first), so a peer that closes TCP without close_notify cannot cut a message short
    // unnoticed; browsers and Python's ssl often omit it. Such an end reads as a plain eof.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_set_cipher_list(ctx, intermediate_tls12_ciphers) != 1 ||
        SSL_CTX_set1_groups_list(ctx, intermediate_groups) != 1)
        throw config_error("TLS policy: " + openssl_reason());
    SSL_CTX_set_dh_auto(ctx, 1);
    // Session tickets (resumption without a server-side cache) are on by default: kept. The
    // session id context lets a resumed session pass client-certificate verification too.
    static constexpr unsigned char session_context[] = "netkit";
    SSL_CTX_set_session_id_context(ctx, session_context, sizeof session_context - 1);
    // Idle connections give their record buffers back: memory per connection stays small.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

    if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1)
        fail("--tls-cert", files.cert_file, "not a PEM certificate (" + openssl_reason() + ")");
    if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        // OpenSSL compares the key with the certificate already while loading it.
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
            fail("--tls-key", files.key_file, "does not match the certificate in " + files.cert_file);
        fail("--tls-key", files.key_file, "not a PEM private key (" + openssl_reason() + ")");
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
        fail("--tls-key", files.key_file, "does not match the certificate in " + files.cert_file);
    check_validity(files.cert_file, SSL_CTX_get0_certificate(ctx));

    if (!files.client_ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, files.client_ca_file.c_str(), nullptr) != 1)
            fail("--tls-client-ca", files.client_ca_file, "not a PEM certificate (" + openssl_reason() + ")");
        // The CA names sent in the CertificateRequest, so a client picks the right certificate.
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str()))
            SSL_CTX_set_client_CA_list(ctx, names);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    ERR_clear_error();
    return context;
}

}  // namespace

server_context::server_context(server_files files) : files_(std::move(files)), current_(load(files_)) {}

void server_context::reload() {
    auto fresh = load(files_);  // throws before anything changes
    std::lock_guard lock(mutex_);
    current_.swap(fresh);
}

std::shared_ptr<const asio::ssl::context> server_context::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

}  // namespace netkit::tls
