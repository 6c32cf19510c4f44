// A throw-away public key infrastructure for the TLS tests, made at test time in a temporary
// directory (no private key is ever committed): a certificate authority, server certificates for
// the loopback names, and the broken cases a client or server must refuse.
#pragma once

#include <filesystem>
#include <string>

namespace netkit::test {

// One certificate and its private key, as PEM files.
struct cert_pair {
    std::filesystem::path cert, key;
};

struct test_pki {
    // Writes every file below into `dir` (which must exist). Takes a few milliseconds (EC P-256).
    explicit test_pki(const std::filesystem::path& dir);

    std::filesystem::path ca;        // the test CA's certificate: clients trust it with --ca
    std::filesystem::path other_ca;  // an unrelated CA: a client trusting only it must refuse the server
    // Valid for a day, for DNS:localhost, IP:127.0.0.1 and IP:::1, signed by `ca`.
    cert_pair server;
    // A second valid pair for the same names (what a renewal brings: SIGHUP reload tests).
    cert_pair renewed;
    // Signed by `ca` but expired yesterday.
    cert_pair expired;
    // Signed by `ca`, valid, but only for DNS:wrong.example (a host-name check must refuse it).
    cert_pair wrong_host;
    // Signed by `other_ca`, for the loopback names.
    cert_pair untrusted;
    // A client certificate (CN=test-client, extendedKeyUsage clientAuth) signed by `ca`, for mutual TLS.
    cert_pair client;
    // A client certificate signed by `other_ca`: mutual TLS with `ca` must refuse it.
    cert_pair stranger;
};

// The subject of a certificate file, e.g. "CN=localhost" (for checking which pair a server uses).
std::string certificate_subject(const std::filesystem::path& cert);

}  // namespace netkit::test
