// Splits a request line into words with shell-like quoting, without any of a shell's powers: no
// pipes, redirection, variables, globbing or `;` chaining. Those characters are plain text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace netkit::exec {

struct split_result {
    std::vector<std::string> words;
    std::string error;  // empty when the line was well formed
    bool ok() const { return error.empty(); }
};

// Words are separated by spaces and tabs. Inside '...' every character is literal. Inside "..." a
// backslash escapes only " \ $ and ` (as in POSIX sh); elsewhere it is kept. Outside quotes a
// backslash makes the next character literal. Quotes join with their neighbours (a'b c'd is one
// word) and '' is an empty word. Errors: an unterminated quote, a trailing backslash, a NUL byte.
split_result split_command_line(std::string_view line);

}  // namespace netkit::exec
