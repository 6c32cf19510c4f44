// A client of the lesson 004 line protocol (usable with nc): asked for a name until it gives a
// free one, then every line it sends is a message; it receives "<name>: <text>" lines and notices.
#pragma once

#include <netkit/chat/chat_session.hpp>
#include <netkit/framing/lines.hpp>
#include <netkit/tcp_server.hpp>

#include <string_view>

namespace netkit::chat {

// The prompt for a name, sent on connect and again after a refused name.
inline constexpr std::string_view name_prompt = "Type your name and press Enter.";

class line_session final : public chat_session {
public:
    using chat_session::chat_session;
    chat::protocol protocol() const override { return protocol::line; }

private:
    asio::awaitable<void> serve() override;
    // The next line; at the end of the stream, a last line without "\n" if there is one.
    asio::awaitable<std::optional<std::string_view>> read_line(framing::line_decoder& lines);
    std::string notice(std::string_view text) const override;
    std::string goodbye() const override;
    void welcome(std::size_t present) override;
};

tcp_server::session_factory line_session_factory(hub& room, chat_options options, logger& log);

}  // namespace netkit::chat
