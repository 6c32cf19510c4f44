// The programs a command server may run and the arguments each may take, resolved to absolute
// paths once at start-up so that the environment of a request can never change which file is
// executed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netkit::exec {

class allow_list {
public:
    // One allowed program. An entry is written `NAME` (no arguments at all), `NAME:W1,W2,...`
    // (any number of arguments, each exactly one of the listed words) or `NAME:*` (any
    // arguments: only for programs that cannot read, write or change anything with them).
    struct entry {
        std::string name;               // as configured: a bare name or an absolute path
        std::string path;               // resolved absolute path
        bool any_arguments = false;     // NAME:*
        std::vector<std::string> words; // the permitted arguments when !any_arguments
    };

    // Where bare names are looked up; also the PATH every command runs with.
    static constexpr std::string_view search_path = "/usr/bin:/bin";
    // Harmless programs that show the idea of lesson 000, each with a fixed set of arguments that
    // only change how it prints (never a file to read or a setting to change: `date -f FILE`
    // reads any file, `date -s` and `hostname NAME` change the host).
    static std::vector<std::string> default_entries();

    // Parses every entry (see `entry`); a bare name is searched in search_path, a name holding '/'
    // must be an absolute path to an executable file. Throws std::runtime_error naming the first
    // entry that is malformed or whose program cannot be found.
    explicit allow_list(const std::vector<std::string>& entries);

    // The entry whose program `word` names (the configured name or its resolved path), nullptr
    // when it is not allowed.
    const entry* find(std::string_view word) const;

    // Why `args` (argv without argv[0]) are refused for `e`, or nullopt when they are accepted.
    static std::optional<std::string> argument_problem(const entry& e, const std::vector<std::string>& args);

    // "date echo hostname ...", for messages.
    std::string names() const;

private:
    std::vector<entry> entries_;
};

}  // namespace netkit::exec
