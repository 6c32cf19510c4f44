#include <netkit/chat/event_codec.hpp>

#include <charconv>

namespace netkit::chat {

namespace {

char kind_letter(chat_event::kind k) {
    switch (k) {
        case chat_event::kind::joined: return 'j';
        case chat_event::kind::left: return 'l';
        default: return 'm';
    }
}

// At most 9 digits: a name length never needs more, and the value cannot overflow.
bool parse_length(std::string_view text, std::size_t& out) {
    if (text.empty() || text.size() > 9) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string encode_event(const std::string& node_id, const chat_event& event) {
    // The name is length-prefixed and the text runs to the end, so neither needs escaping.
    std::string out = "v1 " + node_id + ' ' + kind_letter(event.type) + ' ' +
                      std::to_string(event.name.size()) + ' ';
    out += event.name;
    out += event.text;
    return out;
}

std::optional<chat_event> decode_event(std::string_view payload, std::string& node_id) {
    auto field = [&payload]() -> std::optional<std::string_view> {
        const auto space = payload.find(' ');
        if (space == std::string_view::npos) return std::nullopt;
        auto f = payload.substr(0, space);
        payload.remove_prefix(space + 1);
        return f;
    };
    const auto version = field(), node = field(), kind = field(), length = field();
    std::size_t name_size = 0;
    if (!length || *version != "v1" || node->empty() || kind->size() != 1 ||
        !parse_length(*length, name_size) || name_size == 0 || name_size > payload.size())
        return std::nullopt;
    chat_event event;
    switch ((*kind)[0]) {
        case 'm': event.type = chat_event::kind::message; break;
        case 'j': event.type = chat_event::kind::joined; break;
        case 'l': event.type = chat_event::kind::left; break;
        default: return std::nullopt;
    }
    event.name = payload.substr(0, name_size);
    event.text = payload.substr(name_size);
    if (event.type != chat_event::kind::message && !event.text.empty()) return std::nullopt;
    node_id = *node;
    return event;
}

}  // namespace netkit::chat
