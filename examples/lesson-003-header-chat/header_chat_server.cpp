// Lesson 003: the chat server that relays every message to everyone else, each message preceded
// by a 10-byte length header. Usage: header_chat_server [PORT]   (default 1234, as in the lesson)
#include <netkit/chat/header_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/server_host.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) try {
    using namespace netkit;
    const auto port = netkit::parse_port(argc > 1 ? argv[1] : "1234");

    logger log;                   // who joins and leaves, on stderr
    chat::in_process_bus nobody;  // a single server: no other nodes to tell
    chat::hub room(nobody, log);  // the lesson's `clients` dictionary, safe for many threads
    room.start();

    server_host host(log);
    // One session per client: first frame = username, then one frame per message.
    host.add_tcp({.port = port, .label = "header"}, chat::header_session_factory(room, {}, log));
    return host.run(2, std::chrono::seconds(2), std::cout);  // until Ctrl-C
} catch (const std::exception& e) {  // a bad port, or the port already in use
    std::cerr << "header_chat_server: " << e.what() << "\n";
    return 1;
}
