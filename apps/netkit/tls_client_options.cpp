#include "tls_client_options.hpp"

#include <csignal>
#include <iostream>

namespace netkit::cli {

void add_tls_client_options(po::options_description& options, tls::client_options& o) {
    options.add_options()
        ("tls", po::bool_switch(&o.enabled), "connect with TLS, verifying the server's certificate and host name")
        ("ca", po::value(&o.ca_file)->value_name("FILE"),
         "with --tls: trust the certificate authorities in FILE (PEM) instead of the system's")
        ("insecure", po::bool_switch(&o.insecure),
         "with --tls: do not verify the server (encrypted, but anyone in the middle can read it)")
        ("server-name", po::value(&o.server_name)->value_name("NAME"),
         "with --tls: the name the certificate must carry, also sent as SNI (default: HOST)")
        ("cert", po::value(&o.cert_file)->value_name("FILE"), "with --tls: client certificate (PEM) for mutual TLS")
        ("key", po::value(&o.key_file)->value_name("FILE"), "with --tls: the private key of --cert");
}

tls::client_options tls_client_settings(const tls::client_options& o) {
    if (!o.enabled) {
        for (const auto& [given, name] : {std::pair{!o.ca_file.empty(), "--ca"}, {o.insecure, "--insecure"},
                                          {!o.server_name.empty(), "--server-name"}, {!o.cert_file.empty(), "--cert"},
                                          {!o.key_file.empty(), "--key"}})
            if (given) throw usage_error(std::string(name) + " needs --tls");
        return o;
    }
    if (o.insecure && !o.ca_file.empty()) throw usage_error("--insecure and --ca contradict each other");
    if (o.cert_file.empty() != o.key_file.empty()) throw usage_error("--cert and --key go together");
    if (o.insecure)
        std::cerr << "netkit: warning: --insecure: the server's certificate is not verified; "
                     "anyone between you and it can read and change this connection\n";
    // OpenSSL writes to the socket with write(2): a server that went away must be an error to
    // report, not a SIGPIPE that kills the client silently.
    std::signal(SIGPIPE, SIG_IGN);
    return o;
}

}  // namespace netkit::cli
