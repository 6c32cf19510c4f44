// A client of the lesson 003 length-header protocol: first frame the name, then one frame per
// message; it receives (name, text) frame pairs, notices coming from the name "server".
#pragma once

#include <netkit/chat/chat_session.hpp>
#include <netkit/tcp_server.hpp>

namespace netkit::chat {

class header_session final : public chat_session {
public:
    using chat_session::chat_session;
    chat::protocol protocol() const override { return protocol::header; }

private:
    asio::awaitable<void> serve() override;
    std::string notice(std::string_view text) const override;
    std::string goodbye() const override;
    void welcome(std::size_t present) override;
};

// For tcp_server: one header_session per connection, all in `room`.
tcp_server::session_factory header_session_factory(hub& room, chat_options options, logger& log);

}  // namespace netkit::chat
