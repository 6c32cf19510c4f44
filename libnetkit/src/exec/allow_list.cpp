#include <netkit/exec/allow_list.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

namespace netkit {

namespace {

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string resolve(const std::string& name) {
    if (name.empty()) throw std::runtime_error("an allowed program name cannot be empty");
    if (name.find('/') != std::string::npos) {
        if (name.front() != '/')
            throw std::runtime_error("allowed program '" + name + "': give a bare name or an absolute path");
        if (!is_executable_file(name))
            throw std::runtime_error("allowed program '" + name + "' is not an executable file");
        return name;
    }
    std::string_view dirs = allow_list::search_path;
    while (!dirs.empty()) {
        const auto colon = dirs.find(':');
        const std::string candidate = std::string(dirs.substr(0, colon)) + "/" + name;
        if (is_executable_file(candidate)) return candidate;
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    }
    throw std::runtime_error("allowed program '" + name + "' was not found in " +
                             std::string(allow_list::search_path));
}

}  // namespace

std::vector<std::string> allow_list::default_names() {
    return {"date", "echo", "hostname", "uname", "uptime", "whoami"};
}

allow_list::allow_list(const std::vector<std::string>& names) {
    for (const auto& name : names)
        if (!find(name)) entries_.emplace_back(name, resolve(name));
}

const std::string* allow_list::find(std::string_view word) const {
    for (const auto& [name, path] : entries_)
        if (word == name || word == path) return &path;
    return nullptr;
}

std::string allow_list::names() const {
    std::string text;
    for (const auto& entry : entries_) text += (text.empty() ? "" : " ") + entry.first;
    return text;
}

}  // namespace netkit
