// Lesson 003: the header chat server, one event loop serving every socket.
// Usage: lesson-003-header-chat-server [HOST] [PORT]   (default 127.0.0.1 1234, as in the lesson)
//
// The lesson's server calls select() on [server_socket, every client socket] and handles whichever
// is ready. Here one io_context runs on one thread; the reactor inside io_context::run() (epoll on
// Linux) plays the part of select(): it waits on all sockets at once and resumes the coroutine whose
// socket is ready. Each coroutine below is one of the lesson's branches, read top to bottom.
#include <netkit/asio.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/framing/length_header.hpp>

#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace {
using namespace netkit;
using asio::awaitable;
using asio::use_awaitable;

constexpr std::size_t max_message = 64 * 1024;     // a longer header closes that client
constexpr std::size_t max_queued = 1024 * 1024;  // a client that stops reading is dropped

// One entry of the lesson's `clients` dictionary: the socket and the username frame (header +
// name), which the lesson reuses in front of every message the user sends.
struct client {
    explicit client(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::string name, name_frame;
    std::deque<std::shared_ptr<const std::string>> outbox;  // what socket.send() still has to write
    std::size_t queued = 0;
};
using client_list = std::set<std::shared_ptr<client>>;  // the lesson's `clients`

// The lesson's receive_message(): a 10-byte header, then that many bytes. The decoder also copes
// with a header split over two reads, which the lesson's single recv(HEADER_LENGTH) ignores.
awaitable<std::optional<std::string>> receive_message(tcp::socket& socket, framing::length_header_decoder& frames) {
    char chunk[4096];
    for (;;) {
        try {
            if (auto frame = frames.next()) co_return std::string(*frame);
        } catch (const framing::error& e) {  // not a decimal length: as the lesson's `except`
            std::cout << "Bad header: " << e.what() << std::endl;
            co_return std::nullopt;
        }
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), asio::as_tuple(use_awaitable));
        if (ec) co_return std::nullopt;  // closed ("if not len(message_header)") or reset
        frames.feed({chunk, n});
    }
}

// The lesson's client_socket.send(): queue the bytes; one writer per client empties the queue, so
// a client that reads slowly delays nobody else.
awaitable<void> write_queued(std::shared_ptr<client> c) {
    while (!c->outbox.empty()) {
        auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(*c->outbox.front()),
                                                   asio::as_tuple(use_awaitable));
        if (ec) co_return c->socket.close();  // its reader then ends and removes it
        c->queued -= n;
        c->outbox.pop_front();
    }
}

void send(const std::shared_ptr<client>& c, std::shared_ptr<const std::string> bytes) {
    if ((c->queued += bytes->size()) > max_queued) return c->socket.close();  // it stopped reading
    c->outbox.push_back(std::move(bytes));
    if (c->outbox.size() == 1) asio::co_spawn(c->socket.get_executor(), write_queued(c), asio::detached);
}

// One client, from accept() to "Closed connection from".
awaitable<void> serve(std::shared_ptr<client> c, client_list& clients) {
    framing::length_header_decoder frames(max_message);
    boost::system::error_code ec;
    const auto address = to_string(c->socket.remote_endpoint(ec));
    // "Client should send his name right away, receive it"
    auto user = co_await receive_message(c->socket, frames);
    if (!user) co_return;  // disconnected before sending a name
    c->name = *user;
    c->name_frame = framing::length_frame(c->name);
    clients.insert(c);  // "Add accepted socket to select.select() list"
    std::cout << "Accepted new connection from " << address << ", username: " << c->name << std::endl;

    // "Else existing socket is sending a message"
    while (auto message = co_await receive_message(c->socket, frames)) {
        std::cout << "Received message from " << c->name << ": " << *message << std::endl;
        // "Send user and message (both with their headers)" to everyone but the sender; one buffer
        // shared by all the recipients.
        auto bytes = std::make_shared<const std::string>(c->name_frame + framing::length_frame(*message));
        for (const auto& other : clients)
            if (other != c) send(other, bytes);
    }
    std::cout << "Closed connection from: " << c->name << std::endl;
    clients.erase(c);  // "Remove from our list of users"
}

// "If notified socket is a server socket - new connection, accept it"
awaitable<void> accept_connections(tcp::acceptor& server_socket, client_list& clients) {
    for (;;) {
        auto client_socket = co_await server_socket.async_accept(use_awaitable);
        asio::co_spawn(server_socket.get_executor(), serve(std::make_shared<client>(std::move(client_socket)), clients),
                       asio::detached);
    }
}
}  // namespace

int main(int argc, char** argv) try {
    const char* usage = "usage: lesson-003-header-chat-server [HOST] [PORT]   (default 127.0.0.1 1234)\n";
    if (argc > 1 && std::string(argv[1]) == "--help") return std::cout << usage, 0;
    tcp::endpoint address;
    try {
        if (argc > 3) throw std::invalid_argument("too many arguments");
        address = {parse_address(argc > 1 ? argv[1] : "127.0.0.1"), parse_port(argc > 2 ? argv[2] : "1234")};
    } catch (const std::invalid_argument& e) {
        return std::cerr << "lesson-003-header-chat-server: " << e.what() << "\n" << usage, 2;
    }
    asio::io_context io(1);  // one thread: like the lesson's loop, nothing here needs a lock
    // socket(), setsockopt(SO_REUSEADDR), bind(), listen(): the acceptor does all four.
    tcp::acceptor server_socket(io, address, /*reuse_address=*/true);
    client_list clients;
    announce_listening(std::cout, to_string(server_socket.local_endpoint()), "");
    asio::co_spawn(io, accept_connections(server_socket, clients), asio::detached);

    asio::signal_set stop(io, SIGINT, SIGTERM);  // Ctrl-C ends the loop
    stop.async_wait([&io](auto, int) { io.stop(); });
    io.run();  // the lesson's `while True: select.select(...)`
    return 0;
} catch (const std::exception& e) {  // the port already in use, for instance
    std::cerr << "lesson-003-header-chat-server: " << e.what() << "\n";
    return 1;
}
