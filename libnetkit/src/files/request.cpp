#include <netkit/files/request.hpp>

#include <netkit/files/error.hpp>
#include <netkit/files/file_name.hpp>

#include <charconv>
#include <utility>

namespace netkit::files {

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

// "a b c" -> {"a b", "c"}; "abc" -> {"", "abc"}.
std::pair<std::string_view, std::string_view> split_last_word(std::string_view text) {
    const auto space = text.rfind(' ');
    if (space == std::string_view::npos) return {{}, text};
    return {text.substr(0, space), text.substr(space + 1)};
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
    if (line.starts_with("GET ")) {
        files_request request{.what = files_request::verb::get};
        std::string_view name = line.substr(4);
        const auto [rest, word] = split_last_word(name);
        if (const auto kind = parse_digest_name(word); kind && !rest.empty()) {
            request.digest = *kind;
            name = rest;
        }
        request.name = checked_name(name);
        return request;
    }
    if (line.starts_with("PUT ")) {
        auto [rest, last] = split_last_word(line.substr(4));
        if (rest.empty()) throw files_error("usage: PUT <name> <size> [sha256|xxh128]");
        files_request request{.what = files_request::verb::put};
        // A size is digits and a digest word is not: "<name> <size> <word>" names the digest.
        if (!parse_byte_count(last)) {
            auto [before, size] = split_last_word(rest);
            if (!before.empty() && parse_byte_count(size)) {
                const auto kind = parse_digest_name(last);
                if (!kind)
                    throw files_error("unknown digest '" + std::string(last) + "': expected sha256 or xxh128");
                request.digest = *kind;
                rest = before;
                last = size;
            }
        }
        request.size = parse_size(last);
        request.name = checked_name(rest);
        return request;
    }
    if (line == "GET" || line == "PUT")
        throw files_error("usage: PUT <name> <size> [sha256|xxh128] | GET <name> [sha256|xxh128] | LIST");
    throw files_error("unknown request: expected PUT <name> <size>, GET <name> or LIST");
}

}  // namespace netkit::files
