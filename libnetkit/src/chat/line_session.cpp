#include <netkit/chat/line_session.hpp>

#include <netkit/chat/wire.hpp>

namespace netkit::chat {

asio::awaitable<void> line_session::serve() {
    framing::line_decoder lines(options_.max_message);
    // As in lesson 004: ask for a name until a free one comes, then relay lines until {quit}.
    send(notice(name_prompt));
    for (;;) {
        const auto answer = co_await read_line(lines);
        if (!answer || *answer == quit_command) co_return;
        const auto why = co_await join(std::string(*answer));
        if (!why) break;
        send(notice("name refused: " + *why));
        send(notice(name_prompt));
    }
    while (const auto line = co_await read_line(lines)) {
        if (*line == quit_command) break;
        if (line->empty()) continue;
        co_await say(*line);
    }
}

asio::awaitable<std::optional<std::string_view>> line_session::read_line(framing::line_decoder& lines) {
    if (auto line = co_await read_frame(lines)) co_return line;
    co_return lines.finish();
}

void line_session::welcome(std::size_t present) {
    send(notice("Welcome " + name() + "! Users here: " + std::to_string(present) + ". Type " +
                std::string(quit_command) + " to leave the chat."));
}

std::string line_session::notice(std::string_view text) const { return line_notice(text); }

std::string line_session::goodbye() const { return line_notice(end_conn); }

tcp_server::session_factory line_session_factory(hub& room, chat_options options, logger& log) {
    return [&room, options, &log](tcp::socket socket) {
        return std::make_shared<line_session>(std::move(socket), room, options, log);
    };
}

}  // namespace netkit::chat
