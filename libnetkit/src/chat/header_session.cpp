#include <netkit/chat/header_session.hpp>

#include <netkit/chat/wire.hpp>
#include <netkit/framing/length_header.hpp>

#include <exception>
#include <span>
#include <string>
#include <vector>

namespace netkit::chat {

namespace {
// Bytes of messages said as one burst; one read holds at most 64 KiB anyway.
constexpr std::size_t burst_limit = 64 * 1024;
}  // namespace

asio::awaitable<void> header_session::serve() {
    framing::length_header_decoder frames(options_.max_message);
    // As in lesson 003: the first frame is the user name, every later frame a message.
    const auto name = co_await read_frame(frames);
    if (!name) co_return;
    if (auto why = co_await join(std::string(*name))) {
        send(notice("name refused: " + *why));
        co_return;
    }
    std::vector<std::string> burst;
    while (const auto text = co_await read_frame(frames)) {
        // Every message this read held goes to the room as one burst: one buffer per recipient
        // instead of one per message (a sender with a backlog costs the room far less).
        burst.clear();
        std::size_t bytes = 0;
        if (!text->empty()) burst.emplace_back(*text);
        std::exception_ptr broken;
        try {
            while (bytes < burst_limit) {
                const auto more = frames.next();
                if (!more) break;
                if (more->empty()) continue;
                bytes += more->size();
                burst.emplace_back(*more);
            }
        } catch (const framing::error&) {
            broken = std::current_exception();  // what came before the bad frame still counts
        }
        if (burst.size() == 1) co_await say(std::string_view(burst.front()));
        else if (!burst.empty()) co_await say(std::span<const std::string>(burst));
        if (broken) std::rethrow_exception(broken);
    }
}

std::string header_session::notice(std::string_view text) const { return header_notice(text); }

std::string header_session::goodbye() const { return header_notice(shutdown_notice); }

void header_session::welcome(std::size_t present) {
    // Lesson 003 has no welcome (a client's first event is its own join, byte for byte as the
    // lesson's server sends it); in a big room, where it sees no one else's join, it gets the count.
    if (present > hub_.announce_limit())
        send(notice("Welcome " + name() + "! Users here: " + std::to_string(present) + "."));
}

tcp_server::session_factory header_session_factory(hub& room, chat_options options, logger& log) {
    return [&room, options, &log](tcp::socket socket) {
        return std::make_shared<header_session>(std::move(socket), room, options, log);
    };
}

}  // namespace netkit::chat
