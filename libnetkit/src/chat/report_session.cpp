#include <netkit/chat/report_session.hpp>

#include <netkit/chat/wire.hpp>

namespace netkit::chat {

asio::awaitable<void> report_session::serve() {
    framing::per_read_decoder reads(options_.max_message);
    // As the report's handle_client(): ask for a name until a free one comes, then relay every
    // message until {quit}.
    send(notice(report_name_prompt));
    for (;;) {
        const auto answer = co_await read_frame(reads);
        if (!answer || *answer == quit_command) co_return;
        const auto why = co_await join(std::string(*answer));
        if (!why) break;
        send(notice("Il nome scelto non è disponibile (" + *why + "), inserire un nome diverso:"));
    }
    while (const auto text = co_await read_frame(reads)) {
        if (*text == quit_command) break;
        co_await say(*text);
    }
}

void report_session::welcome(std::size_t /*present*/) {  // the report's own text, no count
    send(notice("Benvenuto " + name() + "! Se vuoi lasciare la Chat, scrivi " + std::string(quit_command) +
                " per uscire."));
}

std::string report_session::notice(std::string_view text) const { return report_notice(text); }

std::string report_session::goodbye() const { return report_notice(end_conn); }

tcp_server::session_factory report_session_factory(hub& room, chat_options options, logger& log) {
    return [&room, options, &log](tcp::socket socket) {
        return std::make_shared<report_session>(std::move(socket), room, options, log);
    };
}

}  // namespace netkit::chat
