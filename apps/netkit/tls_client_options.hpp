// The TLS options every client command shares: --tls, --ca, --insecure, --server-name, --cert, --key.
#pragma once

#include "cli_common.hpp"

#include <netkit/tls/client.hpp>

namespace netkit::cli {

// Adds the options, filling `o` when the command line is parsed.
void add_tls_client_options(po::options_description& options, tls::client_options& o);

// Checks what was given together (usage_error naming the option), prints the --insecure warning
// on stderr, and returns the options to connect with.
tls::client_options tls_client_settings(const tls::client_options& o);

}  // namespace netkit::cli
