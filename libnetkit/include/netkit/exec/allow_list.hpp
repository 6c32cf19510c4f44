// The programs a command server may run, resolved to absolute paths once at start-up so that the
// environment of a request can never change which file is executed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace netkit {

class allow_list {
public:
    // Where bare names are looked up; also the PATH every command runs with.
    static constexpr std::string_view search_path = "/usr/bin:/bin";
    // date echo hostname uname uptime whoami: harmless programs that show the idea of lesson 000.
    static std::vector<std::string> default_names();

    // A bare name is searched in search_path; a name holding '/' must be an absolute path to an
    // executable file. Throws std::runtime_error naming the first program that cannot be found.
    explicit allow_list(const std::vector<std::string>& names);

    // The absolute path of the program `word` names (the configured name or its resolved path),
    // nullptr when it is not allowed.
    const std::string* find(std::string_view word) const;

    // "date echo hostname ...", for messages.
    std::string names() const;

private:
    std::vector<std::pair<std::string, std::string>> entries_;  // configured name, absolute path
};

}  // namespace netkit
