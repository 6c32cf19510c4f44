// The lesson 004 report's own programs (its Python server and tkinter client): bare text with no
// delimiter. Each read from the client is one message; each event or notice goes out as one
// buffer of its own, so the report's client shows one per recv(). The conversation is the line
// protocol's, in the report server's Italian: a name until a free one comes, then messages until
// {quit}.
#include <netkit/chat/protocols.hpp>

#include <netkit/chat/text.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/per_read.hpp>

namespace netkit::chat {

namespace {

class report final : public protocol {
public:
    std::string_view name() const override { return "report"; }

    std::unique_ptr<message_decoder> decoder(std::size_t max_message) const override {
        return std::make_unique<framed<framing::per_read_decoder>>(max_message);
    }
    std::string_view quit() const override { return quit_command; }

    // Control characters are replaced as on the line protocol.
    std::string encode(const chat_event& event) const override {
        if (event.type == chat_event::kind::batch)
            return counts_text(event.joined.size(), event.left.size(), "entrati", "usciti");
        return printable_event(event, " si è unito alla chat!", " ha abbandonato la Chat.");
    }
    std::string notice(std::string_view text) const override {
        std::string out;
        append_line_safe(out, text);
        return out;
    }

    std::string_view prompt() const override { return "Salve! Digita il tuo Nome seguito dal tasto Invio!"; }
    std::string refusal(std::string_view why) const override {
        return "Il nome scelto non è disponibile (" + std::string(why) + "), inserire un nome diverso:";
    }
    std::string_view prompt_again() const override { return {}; }  // the refusal asks already
    std::string welcome(std::string_view name, std::size_t /*present*/, bool /*big_room*/) const override {
        return "Benvenuto " + std::string(name) + "! Se vuoi lasciare la Chat, scrivi " + std::string(quit_command) +
               " per uscire.";  // the report's own text, no count
    }
    std::string_view goodbye() const override { return end_conn; }

    bool joins_bursts() const override { return false; }  // its client takes one recv() as one message
};

}  // namespace

const protocol& report_protocol() {
    static const report description;
    return description;
}

}  // namespace netkit::chat
