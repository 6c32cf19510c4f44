// A blocking client for the command server, for command-line tools and classroom examples.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/client_connection.hpp>
#include <netkit/exec/response_header.hpp>
#include <netkit/line_reader.hpp>

#include <ostream>
#include <string>
#include <string_view>

namespace netkit::exec {

class exec_connection {
public:
    // Resolves and connects; throws std::runtime_error("cannot connect to HOST:PORT: reason").
    exec_connection(asio::io_context& io, const std::string& host, const std::string& port);
    // The same over TLS when tls.enabled (the token then crosses the network encrypted); throws
    // std::runtime_error("TLS: certificate verify failed (...) for HOST:PORT") for a server that
    // cannot be verified.
    exec_connection(asio::io_context& io, const std::string& host, const std::string& port,
                    const tls::client_options& tls);

    // Sends `AUTH <token>`; throws std::runtime_error with the server's reason when refused.
    void authenticate(const std::string& token);

    // Sends one command line and copies the response body as it arrives (a large body is never
    // held in memory): program output to `out`, the server's DENIED/ERROR explanation to
    // `messages`. Throws std::runtime_error when the connection fails or the server answers
    // something that is not a response.
    response_header run(std::string_view line, std::ostream& out, std::ostream& messages);

private:
    std::string read_line();

    std::string where_;  // "HOST:PORT", for messages
    client_connection connection_;
    line_reader lines_;
};

}  // namespace netkit::exec
