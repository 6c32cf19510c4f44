// A client of the lesson 004 report's own programs (its Python server and tkinter client): the
// report's bytes, with no delimiter. Each read from the client is one message; each event or
// notice goes out as bare text, so the report's client shows one per recv(). The conversation is
// the line protocol's: a name until a free one comes, then messages until {quit}.
#pragma once

#include <netkit/chat/chat_session.hpp>
#include <netkit/framing/per_read.hpp>
#include <netkit/tcp_server.hpp>

#include <string_view>

namespace netkit::chat {

// The report server's prompt for a name.
inline constexpr std::string_view report_name_prompt = "Salve! Digita il tuo Nome seguito dal tasto Invio!";

class report_session final : public chat_session {
public:
    using chat_session::chat_session;
    chat::protocol protocol() const override { return protocol::report; }

private:
    asio::awaitable<void> serve() override;
    std::string notice(std::string_view text) const override;
    std::string goodbye() const override;
    void welcome(std::size_t present) override;
};

tcp_server::session_factory report_session_factory(hub& room, chat_options options, logger& log);

}  // namespace netkit::chat
