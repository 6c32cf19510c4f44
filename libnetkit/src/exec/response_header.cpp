#include <netkit/exec/response_header.hpp>

#include <charconv>

namespace netkit::exec {

std::string_view to_string(exec_status status) {
    switch (status) {
    case exec_status::exit: return "EXIT";
    case exec_status::signal: return "SIGNAL";
    case exec_status::timeout: return "TIMEOUT";
    case exec_status::denied: return "DENIED";
    case exec_status::error: return "ERROR";
    }
    return "ERROR";
}

std::string format_header(const response_header& h) {
    std::string line(to_string(h.status));
    line += " " + std::to_string(h.code) + " " + std::to_string(h.length);
    if (h.truncated) line += " truncated";
    return line + "\n";
}

namespace {

// The next space-separated field of `rest`, which is advanced past it.
std::string_view next_field(std::string_view& rest) {
    const auto space = rest.find(' ');
    const std::string_view field = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    return field;
}

template <class T>
bool parse_number(std::string_view text, T& value) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::optional<response_header> parse_header(std::string_view line) {
    response_header h;
    const std::string_view status = next_field(line);
    bool known = false;
    for (auto s : {exec_status::exit, exec_status::signal, exec_status::timeout, exec_status::denied,
                   exec_status::error})
        if (status == to_string(s)) {
            h.status = s;
            known = true;
        }
    if (!known) return std::nullopt;
    if (!parse_number(next_field(line), h.code) || h.code < 0) return std::nullopt;
    if (!parse_number(next_field(line), h.length)) return std::nullopt;
    if (line == "truncated") h.truncated = true;
    else if (!line.empty()) return std::nullopt;
    return h;
}

int client_exit_code(const response_header& h) {
    switch (h.status) {
    case exec_status::exit: return h.code;
    case exec_status::signal: return 128 + h.code;
    case exec_status::timeout: return 124;
    case exec_status::error: return 125;
    case exec_status::denied: return 126;
    }
    return 125;
}

}  // namespace netkit::exec
