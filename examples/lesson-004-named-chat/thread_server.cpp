// Lesson 004: the report's chat server, one thread per client, with blocking sockets.
// Usage: lesson-004-named-chat-thread-server [HOST] [PORT]   (default 127.0.0.1 53000)
// The bytes are the report's: bare texts, no delimiter; whatever one recv() returns is a message.
#include "report_chat.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {
using namespace netkit;

struct client {
    tcp::socket socket;
    std::mutex sending;  // two threads may broadcast to this client at once: one send at a time
};

// client.send(bytes(msg, "utf8")). A client that stops reading blocks its senders here, as in
// the report; the strand server queues instead.
void send(client& c, const std::string& msg) {
    std::scoped_lock lock(c.sending);
    boost::system::error_code ignored;  // a client that is gone is its own thread's business
    asio::write(c.socket, asio::buffer(msg), ignored);
}

// The report's `addresses`, shared by every thread, so behind one mutex. The lock
// covers the lists only: the sends happen on a copy of the list, outside it.
class chat_room {
public:
    void add(std::shared_ptr<client> c) {
        std::scoped_lock lock(mutex_);
        if (closing_) report::hang_up(c->socket);  // came in after {end_conn}
        clients_.push_back(std::move(c));
    }
    void remove(const std::shared_ptr<client>& c) { std::scoped_lock lock(mutex_); std::erase(clients_, c); }

    // The report's broadcast(): to every connected client, the sender included. The last one,
    // {end_conn}, also hangs up on everyone (close_server()).
    void broadcast(const std::string& msg, bool last = false) {
        std::vector<std::shared_ptr<client>> everyone;
        {
            std::scoped_lock lock(mutex_);
            if (closing_) return;  // after {end_conn}, nothing more
            closing_ = last;
            everyone = clients_;
        }
        for (auto& c : everyone) send(*c, msg);
        if (last) std::ranges::for_each(everyone, [](auto& c) { report::hang_up(c->socket); });
    }

private:
    std::mutex mutex_;
    std::vector<std::shared_ptr<client>> clients_;
    bool closing_ = false;
};

std::optional<std::string> receive(tcp::socket& socket) {  // client.recv(BUFFSIZE)
    char buffer[report::buffsize];
    boost::system::error_code ec;
    const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
    if (ec) return std::nullopt;  // the client left, or close_server() hung up
    return report::message_of(buffer, n);
}

// The report's handle_client(), run by one thread per client, blocking at every receive().
void handle_client(std::shared_ptr<client> c, chat_room& room, report::name_list& names) {
    send(*c, report::prompt);
    auto name = receive(c->socket);
    while (name && *name != report::quit && !names.take(*name)) {
        send(*c, report::name_taken);
        name = receive(c->socket);
    }
    const bool joined = name && *name != report::quit;
    if (joined) {
        send(*c, report::welcome(*name));
        room.broadcast(report::joined(*name));
        for (auto msg = receive(c->socket); msg && *msg != report::quit; msg = receive(c->socket))
            room.broadcast(*name + ": " + *msg);
    }
    room.remove(c);  // close_client_connection()
    report::hang_up(c->socket);
    if (joined) {
        room.broadcast(report::left(*name));
        names.give_back(*name);
    }
}
}  // namespace

int main(int argc, char** argv) try {
    const auto address = report::server_address(argc, argv, "lesson-004-named-chat-thread-server");
    asio::io_context io;
    tcp::acceptor server(io, address);  // SERVER.bind(ADDR); SERVER.listen()
    chat_room room;
    report::name_list names;
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
            client_threads.emplace_back(handle_client, c, std::ref(room), std::ref(names));
        }
    });

    // close_server() on Ctrl-C: no new clients, {end_conn} to everyone, every socket hung up.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([](auto, int) {});
    io.run();  // returns once the signal has come: the blocking sockets give io no other work
    std::cout << "CTRL+C pressed. Closing the server..." << std::endl;
    ::shutdown(server.native_handle(), SHUT_RDWR);  // wakes the thread blocked in accept()
    room.broadcast(report::end_conn, /*last=*/true);
    return 0;  // accept_thread joins every client thread on the way out
} catch (const std::exception& e) {  // the port already in use, for instance
    std::cerr << "lesson-004-named-chat-thread-server: " << e.what() << "\n";
    return 1;
}
