#include <netkit/exec/allow_list.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace netkit::exec {

namespace {

using entry = allow_list::entry;

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

entry parse_entry(const std::string& text) {
    entry e;
    const auto colon = text.find(':');
    e.name = text.substr(0, colon);
    e.path = resolve(e.name);
    if (colon == std::string::npos) return e;
    const std::string_view spec = std::string_view(text).substr(colon + 1);
    if (spec == "*") {
        e.any_arguments = true;
        return e;
    }
    for (std::string_view rest = spec;;) {
        const auto comma = rest.find(',');
        const std::string_view word = rest.substr(0, comma);
        if (word.empty())
            throw std::runtime_error("allowed program '" + text + "': an argument word cannot be empty");
        e.words.emplace_back(word);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return e;
}

}  // namespace

std::vector<std::string> allow_list::default_entries() {
    return {"date:-u,-R,-I",
            "echo:*",  // echo only prints its words (GNU echo has no option that opens a file)
            "hostname",
            "uname:-a,-s,-n,-r,-v,-m,-o",
            "uptime:-p",
            "whoami"};
}

allow_list::allow_list(const std::vector<std::string>& entries) {
    for (const auto& text : entries) {
        entry e = parse_entry(text);
        if (find(e.name))
            throw std::runtime_error("allowed program '" + e.name + "' is given twice");
        entries_.push_back(std::move(e));
    }
}

const allow_list::entry* allow_list::find(std::string_view word) const {
    for (const auto& e : entries_)
        if (word == e.name || word == e.path) return &e;
    return nullptr;
}

std::optional<std::string> allow_list::argument_problem(const entry& e, const std::vector<std::string>& args) {
    if (e.any_arguments) return std::nullopt;
    for (const auto& arg : args) {
        if (std::find(e.words.begin(), e.words.end(), arg) != e.words.end()) continue;
        if (e.words.empty()) return "'" + e.name + "' takes no arguments";
        std::string allowed;
        for (const auto& w : e.words) allowed += (allowed.empty() ? "" : " ") + w;
        return "argument '" + arg + "' is not allowed for '" + e.name + "' (allowed: " + allowed + ")";
    }
    return std::nullopt;
}

std::string allow_list::names() const {
    std::string text;
    for (const auto& e : entries_) text += (text.empty() ? "" : " ") + e.name;
    return text;
}

}  // namespace netkit::exec
