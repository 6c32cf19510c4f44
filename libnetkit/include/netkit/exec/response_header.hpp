// The header line of a command server response: `<STATUS> <code> <length>[ truncated]`, followed
// on the wire by exactly <length> bytes of output. See docs/exec-protocol.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::exec {

enum class exec_status {
    exit,     // code = the exit status
    signal,   // code = the number of the signal that killed the program
    timeout,  // code 0; the body is the output captured before the kill
    denied,   // code 0; the body says why
    error,    // code 0; the body says why
};

struct response_header {
    exec_status status = exec_status::error;
    int code = 0;
    std::size_t length = 0;
    bool truncated = false;
};

std::string_view to_string(exec_status status);

// The header line including its "\n".
std::string format_header(const response_header& header);
// Parses a header line (without "\n"); nullopt when it is not one.
std::optional<response_header> parse_header(std::string_view line);

// The exit status the one-shot client returns: the remote exit status for EXIT, 128+N for
// SIGNAL (as a shell reports it), 124 for TIMEOUT (as timeout(1)), 125 for ERROR, 126 for DENIED.
int client_exit_code(const response_header& header);

}  // namespace netkit::exec
