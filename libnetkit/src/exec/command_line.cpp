#include <netkit/exec/command_line.hpp>

namespace netkit::exec {

split_result split_command_line(std::string_view line) {
    split_result result;
    // Checked once, up front: inside the loop an escaping backslash would skip past a NUL.
    if (line.find('\0') != std::string_view::npos) {
        result.error = "the line holds a NUL byte, which no program argument can carry";
        return result;
    }
    std::string word;
    bool in_word = false;  // a quote pair starts a word even when it is empty
    enum class mode { plain, single, dbl } m = mode::plain;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        switch (m) {
        case mode::single:
            if (c == '\'') m = mode::plain;
            else word += c;
            break;
        case mode::dbl:
            if (c == '"') {
                m = mode::plain;
            } else if (c == '\\' && i + 1 < line.size() &&
                       (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' || line[i + 1] == '`')) {
                word += line[++i];
            } else {
                word += c;
            }
            break;
        case mode::plain:
            if (c == ' ' || c == '\t') {
                if (in_word) result.words.push_back(std::move(word));
                word.clear();
                in_word = false;
            } else if (c == '\'') {
                m = mode::single;
                in_word = true;
            } else if (c == '"') {
                m = mode::dbl;
                in_word = true;
            } else if (c == '\\') {
                if (i + 1 == line.size()) {
                    result.error = "the line ends with a backslash that escapes nothing";
                    return result;
                }
                word += line[++i];
                in_word = true;
            } else {
                word += c;
                in_word = true;
            }
            break;
        }
    }
    if (m != mode::plain) {
        result.error = m == mode::single ? "unterminated single quote" : "unterminated double quote";
        return result;
    }
    if (in_word) result.words.push_back(std::move(word));
    return result;
}

}  // namespace netkit::exec
