// The TLS options every TCP serve command shares: --tls-cert, --tls-key, --tls-client-ca,
// --handshake-timeout; the certificate is loaded once per command and reloaded on SIGHUP.
#pragma once

#include "cli_common.hpp"

#include <netkit/tls/server_context.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace netkit::cli {

struct tls_server_settings {
    std::string cert_file, key_file, client_ca_file;
    double handshake_seconds = 10;
};

// What --help says about them, for each command's description.
inline constexpr const char* tls_server_help =
    "With --tls-cert and --tls-key every TCP port of the command speaks TLS only (1.2 or 1.3; see "
    "docs/tls.md): the pair is checked before anything listens (exit 2 if it cannot be read, does "
    "not match or is expired), and SIGHUP re-reads it after a renewal without dropping connections.";

void add_tls_server_options(po::options_description& options, tls_server_settings& s);

// The command's TLS, or none: built once from the settings, then applied to each listener.
class tls_listeners {
public:
    // Checks the options and loads the pair; usage_error ("--tls-cert FILE: reason") on failure.
    explicit tls_listeners(const tls_server_settings& s);

    bool enabled() const { return context_ != nullptr; }
    const std::shared_ptr<tls::server_context>& context() const { return context_; }

    // `options` with TLS and the handshake timeout set (unchanged without TLS).
    tcp_server_options apply(tcp_server_options options) const;

    // SIGHUP re-reads the pair: logs "reloaded TLS certificate (CN=...)", or the error (the old
    // pair stays in use).
    void reload_on_sighup(server_host& host) const;

private:
    std::shared_ptr<tls::server_context> context_;
    std::chrono::milliseconds handshake_timeout_;
};

}  // namespace netkit::cli
