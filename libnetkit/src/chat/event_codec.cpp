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

constexpr char takeover_letter = 't';

// At most 9 digits: a name length never needs more, and the value cannot overflow.
bool parse_length(std::string_view text, std::size_t& out) {
    if (text.empty() || text.size() > 9) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// "v1 NODE K LEN " then LEN bytes of name, then the rest: the same frame for every kind.
std::string encode_frame(const std::string& node_id, char kind, const std::string& name, const std::string& rest) {
    // The name is length-prefixed and the rest runs to the end, so neither needs escaping.
    std::string out = "v1 " + node_id + ' ' + kind + ' ' + std::to_string(name.size()) + ' ';
    out += name;
    out += rest;
    return out;
}

struct frame {
    std::string_view node;
    char kind;
    std::string_view name;  // never empty
    std::string_view rest;
};

std::optional<frame> decode_frame(std::string_view payload) {
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
    return frame{*node, (*kind)[0], payload.substr(0, name_size), payload.substr(name_size)};
}

}  // namespace

std::string encode_event(const std::string& node_id, const chat_event& event) {
    return encode_frame(node_id, kind_letter(event.type), event.name, event.text);
}

std::optional<chat_event> decode_event(std::string_view payload, std::string& node_id) {
    const auto f = decode_frame(payload);
    if (!f) return std::nullopt;
    chat_event event;
    switch (f->kind) {
        case 'm': event.type = chat_event::kind::message; break;
        case 'j': event.type = chat_event::kind::joined; break;
        case 'l': event.type = chat_event::kind::left; break;
        default: return std::nullopt;
    }
    event.name = f->name;
    event.text = f->rest;
    if (event.type != chat_event::kind::message && !event.text.empty()) return std::nullopt;
    node_id = f->node;
    return event;
}

std::string encode_takeover(const std::string& node_id, const name_takeover& takeover) {
    return encode_frame(node_id, takeover_letter, takeover.key, takeover.holder);
}

std::optional<name_takeover> decode_takeover(std::string_view payload, std::string& node_id) {
    const auto f = decode_frame(payload);
    // A holder is a node id: one word, like the publisher's.
    if (!f || f->kind != takeover_letter || f->rest.empty() || f->rest.find(' ') != std::string_view::npos)
        return std::nullopt;
    node_id = f->node;
    return name_takeover{std::string(f->name), std::string(f->rest)};
}

}  // namespace netkit::chat
