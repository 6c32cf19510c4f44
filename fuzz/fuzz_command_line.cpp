// split_command_line (the exec service's request line) on arbitrary lines.
// Properties: an error leaves a reason, success never yields a NUL in a word nor more word bytes
// than the line had; quoting the words back (single quotes, and double quotes with backslash
// escapes) and splitting again gives the same words: split∘quote is the identity.
#include "check.hpp"

#include <netkit/exec/command_line.hpp>

#include <cstdint>
#include <string>

namespace {

std::string single_quoted(const std::vector<std::string>& words) {
    std::string line;
    for (const auto& word : words) {
        if (!line.empty()) line += ' ';
        line += '\'';
        for (const char c : word) {
            if (c == '\'') line += "'\\''";  // close, an escaped quote, reopen
            else line += c;
        }
        line += '\'';
    }
    return line;
}

std::string double_quoted(const std::vector<std::string>& words) {
    std::string line;
    for (const auto& word : words) {
        if (!line.empty()) line += '\t';
        line += '"';
        for (const char c : word) {
            if (c == '"' || c == '\\' || c == '$' || c == '`') line += '\\';
            line += c;
        }
        line += '"';
    }
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const auto split = netkit::exec::split_command_line(line);
    if (!split.ok()) return 0;

    FUZZ_CHECK(line.find('\0') == std::string_view::npos);
    std::size_t bytes = 0;
    for (const auto& word : split.words) {
        FUZZ_CHECK(word.find('\0') == std::string::npos);
        bytes += word.size();
    }
    FUZZ_CHECK(bytes <= line.size());

    for (const auto& quoted : {single_quoted(split.words), double_quoted(split.words)}) {
        const auto again = netkit::exec::split_command_line(quoted);
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(again.words == split.words);
    }
    return 0;
}
