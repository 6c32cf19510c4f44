#include <netkit/chat/client_message.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace netkit::chat {

namespace json = boost::json;

namespace {

parsed_client_message refused(std::string why) { return {std::nullopt, std::move(why)}; }

// The string field `key` of `object`, or nullptr when it is missing or not a string.
const json::string* string_field(const json::object& object, std::string_view key) {
    const json::value* v = object.if_contains(key);
    return v ? v->if_string() : nullptr;
}

}  // namespace

parsed_client_message parse_client_message(std::string_view text) {
    boost::system::error_code ec;
    // Boost.JSON refuses invalid UTF-8 in strings and nesting deeper than 32 (parse_options' default).
    const json::value value = json::parse(text, ec);
    if (ec) return refused("malformed JSON: " + ec.message());
    const json::object* object = value.if_object();
    if (!object) return refused("expected a JSON object");
    const json::string* type = string_field(*object, "type");
    if (!type) return refused("expected a string field \"type\"");
    if (*type == "join") {
        const json::string* name = string_field(*object, "name");
        if (!name) return refused("a join needs a string field \"name\"");
        return {client_message{client_message::kind::join, std::string(*name)}, {}};
    }
    if (*type == "say") {
        const json::string* said = string_field(*object, "text");
        if (!said) return refused("a say needs a string field \"text\"");
        return {client_message{client_message::kind::say, std::string(*said)}, {}};
    }
    if (*type == "quit") return {client_message{client_message::kind::quit, {}}, {}};
    return refused("unknown type (expected join, say or quit)");
}

std::string encode(const client_message& message) {
    json::object out;
    switch (message.type) {
    case client_message::kind::join:
        out["type"] = "join";
        out["name"] = message.value;
        break;
    case client_message::kind::say:
        out["type"] = "say";
        out["text"] = message.value;
        break;
    case client_message::kind::quit:
        out["type"] = "quit";
        break;
    }
    return json::serialize(out);
}

}  // namespace netkit::chat
