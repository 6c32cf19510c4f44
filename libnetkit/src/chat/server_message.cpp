#include <netkit/chat/server_message.hpp>

#include <netkit/chat/text.hpp>
#include <netkit/framing/websocket.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace netkit::chat {

namespace json = boost::json;

namespace {

json::string safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_line_safe(out, valid_utf8(text));
    return json::string(out);
}

json::array safe_list(const std::vector<std::string>& names) {
    json::array out;
    out.reserve(names.size());
    for (const auto& name : names) out.push_back(safe(name));
    return out;
}

// "type" first, for people reading frames in a browser's developer tools.
json::object typed(std::string_view type) {
    json::object out;
    out["type"] = type;
    return out;
}

}  // namespace

std::string event_json(const chat_event& event) {
    json::object out;
    switch (event.type) {
    case chat_event::kind::message:
        out = typed("message");
        out["from"] = safe(event.name);
        out["text"] = safe(event.text);
        break;
    case chat_event::kind::joined:
        out = typed("joined");
        out["name"] = safe(event.name);
        break;
    case chat_event::kind::left:
        out = typed("left");
        out["name"] = safe(event.name);
        break;
    case chat_event::kind::batch:
        out = typed("batch");
        out["joined"] = safe_list(event.joined);
        out["left"] = safe_list(event.left);
        break;
    }
    return json::serialize(out);
}

std::string welcome_json(std::string_view name, const std::vector<std::string>& members, std::size_t count) {
    json::object out = typed("welcome");
    out["name"] = safe(name);
    out["members"] = safe_list(members);
    out["count"] = count;
    return json::serialize(out);
}

std::string error_json(std::string_view reason) {
    json::object out = typed("error");
    out["reason"] = safe(reason);
    return json::serialize(out);
}

std::string notice_json(std::string_view text) {
    json::object out = typed("notice");
    out["text"] = safe(text);
    return json::serialize(out);
}

std::string end_json() { return json::serialize(typed("end")); }

std::string text_frame(std::string_view payload) {
    return framing::websocket::frame(framing::websocket::opcode::text, payload);
}

}  // namespace netkit::chat
