#include <netkit/files/request.hpp>

#include <netkit/files/error.hpp>
#include <netkit/files/file_name.hpp>

#include <charconv>

namespace netkit {

namespace {

std::string checked_name(std::string_view name) {
    if (auto problem = file_name_problem(name); !problem.empty()) throw files_error("bad name: " + problem);
    return std::string(name);
}

std::uint64_t parse_size(std::string_view text) {
    const auto value = parse_byte_count(text);
    if (!value) throw files_error("bad size: the last field must be the byte count, in decimal digits");
    return *value;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_count(std::string_view text) {
    // from_chars refuses signs, spaces and overflow; the whole field must be digits.
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

files_request parse_files_request(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "LIST") return {.what = files_request::verb::list};
    if (line.starts_with("GET ")) return {.what = files_request::verb::get, .name = checked_name(line.substr(4))};
    if (line.starts_with("PUT ")) {
        const std::string_view rest = line.substr(4);
        const auto space = rest.rfind(' ');
        if (space == std::string_view::npos) throw files_error("usage: PUT <name> <size>");
        files_request request{.what = files_request::verb::put};
        request.size = parse_size(rest.substr(space + 1));
        request.name = checked_name(rest.substr(0, space));
        return request;
    }
    if (line == "GET" || line == "PUT") throw files_error("usage: PUT <name> <size> | GET <name> | LIST");
    throw files_error("unknown request: expected PUT <name> <size>, GET <name> or LIST");
}

}  // namespace netkit
