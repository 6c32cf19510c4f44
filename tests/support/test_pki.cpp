#include "support/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace netkit::test {

namespace {

struct key_free {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
    void operator()(X509* c) const { X509_free(c); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

key_ptr new_key() {
    key_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EVP_EC_gen");
    return key;
}

// Adds one X.509v3 extension given in OpenSSL's configuration syntax.
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

struct issuer {
    X509* cert;  // nullptr: self-signed
    EVP_PKEY* key;
};

struct spec {
    std::string common_name;
    long not_before_s = -3600;     // relative to now
    long not_after_s = 24 * 3600;  // relative to now
    bool ca = false;
    const char* alt_names = nullptr;  // subjectAltName, e.g. "DNS:localhost,IP:127.0.0.1"
    bool client = false;              // extendedKeyUsage clientAuth instead of serverAuth
};

x509_ptr make_cert(const spec& s, EVP_PKEY* key, const issuer& by) {
    static long serial = 1;  // test-only: distinct serials within one process
    x509_ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), s.not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), s.not_after_s);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(s.common_name.c_str()), -1, -1, 0);
    X509* signer = by.cert ? by.cert : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (s.ca) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), signer, NID_ext_key_usage, s.client ? "clientAuth" : "serverAuth");
        add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
        if (s.alt_names) add_extension(cert.get(), signer, NID_subject_alt_name, s.alt_names);
    }
    check(X509_sign(cert.get(), by.key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

void write_cert(const std::filesystem::path& path, X509* cert) {
    FILE* f = std::fopen(path.c_str(), "w");
    check(f != nullptr, "opening a certificate file");
    const bool ok = PEM_write_X509(f, cert) == 1;
    std::fclose(f);
    check(ok, "PEM_write_X509");
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
    FILE* f = std::fopen(path.c_str(), "w");
    check(f != nullptr, "opening a key file");
    const bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    std::fclose(f);
    check(ok, "PEM_write_PrivateKey");
}

constexpr const char* loopback_names = "DNS:localhost,IP:127.0.0.1,IP:::1";

}  // namespace

test_pki::test_pki(const std::filesystem::path& dir) {
    const auto ca_key = new_key();
    const auto ca_cert = make_cert({.common_name = "netkit test CA", .not_after_s = 7 * 24 * 3600, .ca = true},
                                   ca_key.get(), {nullptr, ca_key.get()});
    const auto other_key = new_key();
    const auto other_cert = make_cert({.common_name = "unrelated CA", .not_after_s = 7 * 24 * 3600, .ca = true},
                                      other_key.get(), {nullptr, other_key.get()});
    ca = dir / "ca.pem";
    other_ca = dir / "other-ca.pem";
    write_cert(ca, ca_cert.get());
    write_cert(other_ca, other_cert.get());

    const auto issue = [&](const char* stem, const spec& s, const issuer& by) {
        const auto key = new_key();
        const auto cert = make_cert(s, key.get(), by);
        cert_pair pair{dir / (std::string(stem) + ".pem"), dir / (std::string(stem) + ".key")};
        write_cert(pair.cert, cert.get());
        write_key(pair.key, key.get());
        return pair;
    };
    const issuer by_ca{ca_cert.get(), ca_key.get()};
    const issuer by_other{other_cert.get(), other_key.get()};
    server = issue("server", {.common_name = "localhost", .alt_names = loopback_names}, by_ca);
    renewed = issue("renewed", {.common_name = "localhost renewed", .alt_names = loopback_names}, by_ca);
    expired = issue("expired",
                    {.common_name = "localhost expired", .not_before_s = -3 * 24 * 3600,
                     .not_after_s = -24 * 3600, .alt_names = loopback_names},
                    by_ca);
    wrong_host = issue("wrong-host", {.common_name = "wrong.example", .alt_names = "DNS:wrong.example"}, by_ca);
    untrusted = issue("untrusted", {.common_name = "localhost untrusted", .alt_names = loopback_names}, by_other);
    client = issue("client", {.common_name = "test-client", .client = true}, by_ca);
    stranger = issue("stranger", {.common_name = "stranger", .client = true}, by_other);
}

std::string certificate_subject(const std::filesystem::path& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return {};
    x509_ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    if (!cert) return {};
    char line[256];
    X509_NAME_oneline(X509_get_subject_name(cert.get()), line, sizeof line);
    std::string subject = line;  // "/CN=localhost"
    return subject.starts_with('/') ? subject.substr(1) : subject;
}

}  // namespace netkit::test
