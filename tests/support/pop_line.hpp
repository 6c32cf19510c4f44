// What the tests' blocking readers share: taking one line off the bytes received so far.
#pragma once

#include <optional>
#include <string>

namespace netkit::test {

// Removes the first "\n"-terminated line from `pending` and returns it without its "\n";
// nullopt, leaving `pending` as it is, while no whole line has arrived.
inline std::optional<std::string> pop_line(std::string& pending) {
    const auto nl = pending.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    std::string line = pending.substr(0, nl);
    pending.erase(0, nl + 1);
    return line;
}

}  // namespace netkit::test
