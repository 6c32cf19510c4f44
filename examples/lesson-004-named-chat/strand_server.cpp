// Lesson 004: the report's chat server again, with a strand and a coroutine per client instead of
// a thread per client: two threads serve everyone. Same bytes as the thread server, and
// handle_client() reads the same. Usage: lesson-004-named-chat-strand-server [HOST] [PORT]
#include "report_chat.hpp"

#include <deque>
#include <memory>
#include <optional>
#include <thread>

namespace {
using namespace netkit;
using asio::awaitable;
using asio::use_awaitable;
using message = std::shared_ptr<const std::string>;  // one buffer shared by every recipient
constexpr auto as_tuple = asio::as_tuple(use_awaitable);

// A client's socket runs on its own strand and everything below touches the client only there,
// so it needs no lock although two threads run the io_context.
struct client {
    explicit client(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::deque<message> outbox;  // sent but not yet written
    std::size_t queued = 0;
    bool last = false;  // {end_conn} is queued: hang up once it is written
};

awaitable<void> write_queued(std::shared_ptr<client> c) {
    while (!c->outbox.empty()) {
        auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(*c->outbox.front()), as_tuple);
        if (ec) co_return;
        c->queued -= n;
        c->outbox.pop_front();
    }
    if (c->last) report::hang_up(c->socket);
}

// client.send(), without blocking: queue it; a client that lets 1 MiB pile up is dropped.
void send(const std::shared_ptr<client>& c, message msg, bool last = false) {
    if ((c->queued += msg->size()) > 1024 * 1024) return c->socket.close();
    c->outbox.push_back(std::move(msg));
    c->last = c->last || last;
    if (c->outbox.size() == 1) asio::co_spawn(c->socket.get_executor(), write_queued(c), asio::detached);
}

// The report's `addresses`, behind one mutex that covers the lists, never a send.
class chat_room {
public:
    explicit chat_room(asio::io_context& io) : io_(io), grace_(io) {}
    bool add(std::shared_ptr<client> c) {
        std::scoped_lock lock(mutex_);
        if (!closing_) clients_.push_back(std::move(c));
        return !closing_;
    }
    void remove(const std::shared_ptr<client>& c) {
        std::scoped_lock lock(mutex_);
        std::erase(clients_, c);
        if (closing_ && clients_.empty()) grace_.cancel();  // all got {end_conn}: stop now
    }

    // broadcast(msg): each client's send() runs on that client's strand. The last one, {end_conn},
    // gives everyone 2 seconds to read it, then stops the server (close_server()).
    void broadcast(const std::string& text, bool last = false) {
        auto msg = std::make_shared<const std::string>(text);
        std::scoped_lock lock(mutex_);
        if (closing_) return;  // after {end_conn}, nothing more
        for (auto& c : clients_) asio::post(c->socket.get_executor(), [c, msg, last] { send(c, msg, last); });
        if ((closing_ = last) && !clients_.empty()) {
            grace_.expires_after(std::chrono::seconds(2));
            grace_.async_wait([this](auto ec) { if (!ec) io_.stop(); });
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::shared_ptr<client>> clients_;
    bool closing_ = false;
    asio::io_context& io_;
    asio::steady_timer grace_;
};

awaitable<std::optional<std::string>> receive(tcp::socket& socket) {  // client.recv(BUFFSIZE)
    char buffer[report::buffsize];
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), as_tuple);
    if (ec) co_return std::nullopt;  // the client left, or the server hung up
    co_return report::message_of(buffer, n);
}

// The report's handle_client(), as a coroutine on the client's strand: each co_await frees the
// thread for other clients where the thread server's thread would block.
awaitable<void> handle_client(std::shared_ptr<client> c, chat_room& room, report::name_list& names) {
    auto say = [&c](const std::string& text) { send(c, std::make_shared<const std::string>(text)); };
    say(report::prompt);
    auto name = co_await receive(c->socket);
    while (name && *name != report::quit && !names.take(*name)) {
        say(report::name_taken);
        name = co_await receive(c->socket);
    }
    const bool joined = name && *name != report::quit;
    if (joined) {
        say(report::welcome(*name));
        room.broadcast(report::joined(*name));
        for (auto msg = co_await receive(c->socket); msg && *msg != report::quit; msg = co_await receive(c->socket))
            room.broadcast(*name + ": " + *msg);
    }
    room.remove(c);  // close_client_connection()
    report::hang_up(c->socket);
    if (joined) {
        room.broadcast(report::left(*name));
        names.give_back(*name);
    }
}

// accept_connections(): each new socket gets its own strand and its own handle_client().
awaitable<void> accept_connections(asio::io_context& io, tcp::acceptor& server, chat_room& room,
                                   report::name_list& names) {
    for (;;) {
        auto [ec, socket] = co_await server.async_accept(asio::make_strand(io), as_tuple);
        if (ec) co_return;  // closed by Ctrl-C
        std::cout << to_string(socket.remote_endpoint(ec)) << " has connected to the server." << std::endl;
        auto c = std::make_shared<client>(std::move(socket));
        if (room.add(c)) asio::co_spawn(c->socket.get_executor(), handle_client(c, room, names), asio::detached);
    }
}
}  // namespace

int main(int argc, char** argv) try {
    const auto address = report::server_address(argc, argv, "lesson-004-named-chat-strand-server");
    asio::io_context io;
    tcp::acceptor server(asio::make_strand(io), address);
    chat_room room(io);
    report::name_list names;
    announce_listening(std::cout, to_string(server.local_endpoint()), "");
    asio::co_spawn(server.get_executor(), accept_connections(io, server, room, names), asio::detached);

    // close_server() on Ctrl-C: stop accepting, {end_conn} to everyone; run() returns when all left.
    asio::signal_set signals(server.get_executor(), SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) {
        std::cout << "CTRL+C pressed. Closing the server..." << std::endl;
        server.close();
        room.broadcast(report::end_conn, /*last=*/true);
    });
    std::jthread second([&io] { io.run(); });
    io.run();
    return 0;
} catch (const std::exception& e) {  // the port already in use, for instance
    std::cerr << "lesson-004-named-chat-strand-server: " << e.what() << "\n";
    return 1;
}
