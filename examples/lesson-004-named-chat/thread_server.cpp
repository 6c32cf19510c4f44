// Lesson 004: the report's chat server, one thread per client, with blocking sockets.
// Usage: lesson-004-named-chat-thread-server [HOST] [PORT]   (default 127.0.0.1 53000)
// The bytes are the report's: bare texts, no delimiter; whatever one recv() returns is a message.
#include <netkit/asio.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/framing/per_read.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {
using namespace netkit;

struct client {
    tcp::socket socket;
    std::mutex sending;  // two threads may broadcast to this client at once: one send at a time
};

// The report's `addresses` and `names`, shared by every thread, so behind one mutex. The lock
// covers the lists only: sends happen on a copy of the list, outside it.
class chat_room {
public:
    void add(std::shared_ptr<client> c) {
        std::scoped_lock lock(mutex_);
        if (closing_) close(*c);  // came in after {end_conn}
        clients_.push_back(std::move(c));
    }
    void remove(const std::shared_ptr<client>& c) { std::scoped_lock lock(mutex_); std::erase(clients_, c); }
    bool take_name(const std::string& name) {  // the report's valid_name() + names.append()
        std::scoped_lock lock(mutex_);
        if (closing_ || std::ranges::count(names_, name)) return false;
        names_.push_back(name);
        return true;
    }
    void free_name(const std::string& name) { std::scoped_lock lock(mutex_); std::erase(names_, name); }

    // The report's broadcast(msg, prefix): to every connected client, the sender included.
    void broadcast(const std::string& msg, bool last = false) {
        std::vector<std::shared_ptr<client>> everyone;
        {
            std::scoped_lock lock(mutex_);
            if (closing_) return;  // after {end_conn}, nothing more
            closing_ = last;
            everyone = clients_;
        }
        for (auto& c : everyone) send(*c, msg);
        if (last)  // close_server(): "for client in addresses: client.close()"
            for (auto& c : everyone) close(*c);
    }
    static void send(client& c, const std::string& msg) {  // client.send(bytes(msg, "utf8"))
        std::scoped_lock lock(c.sending);
        boost::system::error_code ec;
        asio::write(c.socket, asio::buffer(msg), ec);  // a gone client is the reader's business
    }
    static void close(client& c) {  // shutdown, not close: the fd stays valid for other threads
        boost::system::error_code ignored;
        c.socket.shutdown(tcp::socket::shutdown_both, ignored);
    }

private:
    std::mutex mutex_;
    std::vector<std::shared_ptr<client>> clients_;
    std::vector<std::string> names_;
    bool closing_ = false;
};

// client.recv(BUFFSIZE): one read is one message (a trailing "\n" from nc is dropped).
std::optional<std::string> receive(tcp::socket& socket) {
    char buffer[1024];
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
    if (ec) return std::nullopt;  // the client left, or close_server() shut the socket
    framing::per_read_decoder read(sizeof buffer);
    read.feed({buffer, n});
    return std::string(read.next().value_or(""));
}

// The report's handle_client(), run by one thread per client.
void handle_client(std::shared_ptr<client> c, chat_room& room) {
    chat_room::send(*c, "Salve! Digita il tuo Nome seguito dal tasto Invio!");
    auto name = receive(c->socket);
    while (name && *name != "{quit}" && !room.take_name(*name)) {
        chat_room::send(*c, "Il nome scelto è già assegnato, inserire un nome diverso:");
        name = receive(c->socket);
    }
    if (name && *name != "{quit}") {
        chat_room::send(*c, "Benvenuto " + *name + "! Se vuoi lasciare la Chat, scrivi {quit} per uscire.");
        room.broadcast(*name + " si è unito alla chat!");
        // Every message goes to everyone as "name: text" until {quit}.
        for (auto msg = receive(c->socket); msg && *msg != "{quit}"; msg = receive(c->socket))
            room.broadcast(*name + ": " + *msg);
    }
    room.remove(c);  // close_client_connection()
    chat_room::close(*c);
    if (name && *name != "{quit}") {
        room.broadcast(*name + " ha abbandonato la Chat.");
        room.free_name(*name);
    }
}
}  // namespace

int main(int argc, char** argv) try {
    const std::string usage = "usage: lesson-004-named-chat-thread-server [HOST] [PORT]   (default 127.0.0.1 53000)\n";
    if (argc > 1 && std::string(argv[1]) == "--help") return std::cout << usage, 0;
    if (argc > 3) return std::cerr << usage, 2;
    tcp::endpoint address;
    try {
        address = {parse_address(argc > 1 ? argv[1] : "127.0.0.1"), parse_port(argc > 2 ? argv[2] : "53000")};
    } catch (const std::invalid_argument& e) {
        return std::cerr << "lesson-004-named-chat-thread-server: " << e.what() << "\n" << usage, 2;
    }
    asio::io_context io;
    tcp::acceptor server(io, address);  // SERVER.bind(ADDR); SERVER.listen(5)
    chat_room room;
    announce_listening(std::cout, to_string(server.local_endpoint()), "");

    // accept_connections(): accept, then start the client's own thread.
    std::jthread accept_thread([&] {
        std::vector<std::jthread> client_threads;  // joined when this thread ends
        for (;;) {
            boost::system::error_code ec;
            auto c = std::make_shared<client>(server.accept(ec));
            if (ec) break;  // the server socket was shut down: stop accepting
            std::cout << to_string(c->socket.remote_endpoint(ec)) << " has connected to the server." << std::endl;
            room.add(c);
            client_threads.emplace_back(handle_client, c, std::ref(room));
        }
    });

    // close_server() on Ctrl-C: {end_conn} to everyone, then close every socket.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([](auto, int) {});
    io.run();  // returns once the signal has come: the blocking sockets give io no other work
    std::cout << "CTRL+C pressed. Closing the server..." << std::endl;
    ::shutdown(server.native_handle(), SHUT_RDWR);  // wakes the blocked accept(): no new clients
    room.broadcast("{end_conn}", /*last=*/true);
    return 0;  // accept_thread joins every client thread on the way out
} catch (const std::exception& e) {
    std::cerr << "lesson-004-named-chat-thread-server: " << e.what() << "\n";
    return 1;
}
