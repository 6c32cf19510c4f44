// Lesson 004: the report's chat server again, with a strand and a coroutine per client instead of
// a thread per client. Usage: lesson-004-named-chat-strand-server [HOST] [PORT]
// (default 127.0.0.1 53000). Same bytes as the thread server; handle_client() reads the same.
#include <netkit/asio.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/framing/per_read.hpp>

#include <algorithm>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {
using namespace netkit;
using asio::awaitable;
using asio::use_awaitable;
using message = std::shared_ptr<const std::string>;  // one buffer shared by every recipient

// A client's socket runs on its own strand: everything below touches the client only there, so
// it needs no lock although the io_context runs on several threads.
struct client {
    explicit client(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::deque<message> outbox;  // sends not yet written
    std::size_t queued = 0;
    bool last_sent = false;  // {end_conn} is queued: shut the socket once it is written
};

awaitable<void> write_queued(std::shared_ptr<client> c) {
    while (!c->outbox.empty()) {
        auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(*c->outbox.front()), asio::as_tuple(use_awaitable));
        if (ec) co_return;
        c->queued -= n;
        c->outbox.pop_front();
    }
    boost::system::error_code ignored;
    if (c->last_sent) c->socket.shutdown(tcp::socket::shutdown_both, ignored);
}

// client.send(), on the client's strand: queue it, and a client that stops reading blocks nobody.
void send(const std::shared_ptr<client>& c, message msg, bool last = false) {
    if (c->queued + msg->size() > 1024 * 1024) {
        c->socket.close();  // over 1 MiB unread: drop it rather than grow without bound
        return;
    }
    c->queued += msg->size();
    c->outbox.push_back(std::move(msg));
    c->last_sent = c->last_sent || last;
    if (c->outbox.size() == 1) asio::co_spawn(c->socket.get_executor(), write_queued(c), asio::detached);
}

// The report's `addresses` and `names`, behind one mutex that covers the lists, never a send.
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
        if (closing_ && clients_.empty()) grace_.cancel();  // everyone got {end_conn}: stop now
    }
    bool take_name(const std::string& name) {
        std::scoped_lock lock(mutex_);
        if (std::ranges::count(names_, name)) return false;
        names_.push_back(name);
        return true;
    }
    void free_name(const std::string& name) { std::scoped_lock lock(mutex_); std::erase(names_, name); }

    // broadcast(msg): each client's send runs on that client's strand.
    void broadcast(const std::string& text, bool last = false) {
        auto msg = std::make_shared<const std::string>(text);
        std::scoped_lock lock(mutex_);
        if (closing_) return;  // after {end_conn}, nothing more
        for (auto& c : clients_) asio::post(c->socket.get_executor(), [c, msg, last] { send(c, msg, last); });
        if ((closing_ = last) && !clients_.empty()) {  // close_server(): 2 s to read {end_conn}
            grace_.expires_after(std::chrono::seconds(2));
            grace_.async_wait([this](auto ec) { if (!ec) io_.stop(); });
        }
    }

private:
    std::mutex mutex_;
    std::vector<std::shared_ptr<client>> clients_;
    std::vector<std::string> names_;
    bool closing_ = false;
    asio::io_context& io_;
    asio::steady_timer grace_;
};

// client.recv(BUFFSIZE): one read is one message (a trailing "\n" from nc is dropped).
awaitable<std::optional<std::string>> receive(tcp::socket& socket) {
    char buffer[1024];
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), asio::as_tuple(use_awaitable));
    if (ec) co_return std::nullopt;
    framing::per_read_decoder read(sizeof buffer);
    read.feed({buffer, n});
    co_return std::string(read.next().value_or(""));
}

// The report's handle_client(), as a coroutine on the client's strand.
awaitable<void> handle_client(std::shared_ptr<client> c, chat_room& room) {
    auto say = [&c](const std::string& text) { send(c, std::make_shared<const std::string>(text)); };
    say("Salve! Digita il tuo Nome seguito dal tasto Invio!");
    auto name = co_await receive(c->socket);
    while (name && *name != "{quit}" && !room.take_name(*name)) {
        say("Il nome scelto è già assegnato, inserire un nome diverso:");
        name = co_await receive(c->socket);
    }
    const bool joined = name && *name != "{quit}";
    if (joined) {
        say("Benvenuto " + *name + "! Se vuoi lasciare la Chat, scrivi {quit} per uscire.");
        room.broadcast(*name + " si è unito alla chat!");
        for (auto msg = co_await receive(c->socket); msg && *msg != "{quit}"; msg = co_await receive(c->socket))
            room.broadcast(*name + ": " + *msg);
    }
    room.remove(c);  // close_client_connection()
    boost::system::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    if (joined) {
        room.broadcast(*name + " ha abbandonato la Chat.");
        room.free_name(*name);
    }
}

// accept_connections(): each new socket gets its own strand and its own handle_client().
awaitable<void> accept_connections(asio::io_context& io, tcp::acceptor& server, chat_room& room) {
    for (;;) {
        auto [ec, socket] = co_await server.async_accept(asio::make_strand(io),
                                                         asio::as_tuple(use_awaitable));
        if (ec) co_return;  // closed by Ctrl-C
        boost::system::error_code e;
        std::cout << to_string(socket.remote_endpoint(e)) << " has connected to the server." << std::endl;
        auto c = std::make_shared<client>(std::move(socket));
        if (room.add(c)) asio::co_spawn(c->socket.get_executor(), handle_client(c, room), asio::detached);
    }
}
}  // namespace

int main(int argc, char** argv) try {
    const std::string usage = "usage: lesson-004-named-chat-strand-server [HOST] [PORT]   (default 127.0.0.1 53000)\n";
    if (argc > 1 && std::string(argv[1]) == "--help") return std::cout << usage, 0;
    if (argc > 3) return std::cerr << usage, 2;
    tcp::endpoint address;
    try {
        address = {parse_address(argc > 1 ? argv[1] : "127.0.0.1"), parse_port(argc > 2 ? argv[2] : "53000")};
    } catch (const std::invalid_argument& e) {
        return std::cerr << "lesson-004-named-chat-strand-server: " << e.what() << "\n" << usage, 2;
    }
    asio::io_context io;
    tcp::acceptor server(asio::make_strand(io), address);
    chat_room room(io);
    announce_listening(std::cout, to_string(server.local_endpoint()), "");
    asio::co_spawn(server.get_executor(), accept_connections(io, server, room), asio::detached);

    // close_server() on Ctrl-C: stop accepting, {end_conn} to everyone; run() returns when all left.
    asio::signal_set signals(server.get_executor(), SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) {
        std::cout << "CTRL+C pressed. Closing the server..." << std::endl;
        server.close();
        room.broadcast("{end_conn}", /*last=*/true);
    });
    std::jthread second([&io] { io.run(); });  // two threads serve every client
    io.run();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-004-named-chat-strand-server: " << e.what() << "\n";
    return 1;
}
