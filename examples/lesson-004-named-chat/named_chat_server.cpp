// Lesson 004: the named chat server. Each client picks a unique name, then every line it sends
// goes to everyone as "name: text"; {quit} leaves; Ctrl-C sends {end_conn} to all and stops.
// Usage: named_chat_server [PORT]   (default 53000, as in the report)
#include <netkit/chat/hub.hpp>
#include <netkit/chat/line_session.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/server_host.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) try {
    using namespace netkit;
    const auto port = netkit::parse_port(argc > 1 ? argv[1] : "53000");

    logger log;
    chat::in_process_bus nobody;
    chat::hub room(nobody, log);  // the report's `addresses` and `names`, behind one mutex
    room.start();

    server_host host(log);
    // One line_session per client, instead of one Python thread per client.
    host.add_tcp({.port = port, .label = "line"}, chat::line_session_factory(room, {}, log));
    return host.run(2, std::chrono::seconds(2), std::cout);  // until Ctrl-C / SIGTERM
} catch (const std::exception& e) {  // a bad port, or the port already in use
    std::cerr << "named_chat_server: " << e.what() << "\n";
    return 1;
}
