// Lesson 000's client.py: type a command at the `-> ` prompt, see its output; ESC closes.
// Usage: lesson-000-client [HOST [PORT]]   (default 127.0.0.1 20000)
#include <netkit/exec/exec_connection.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
    const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
    const std::string port = argc > 2 ? argv[2] : "20000";
    try {
        boost::asio::io_context io;
        netkit::exec_connection server(io, host, port);
        std::cout << "Connected to the server " << host << ":" << port << ".\n";
        for (std::string command;;) {
            std::cout << "-> " << std::flush;
            if (!std::getline(std::cin, command)) break;
            if (command == "ESC") {
                std::cout << "Closing the connection to the server.\n";
                break;
            }
            const auto answer = server.run(command, std::cout, std::cout);
            if (answer.status != netkit::exec_status::exit || answer.code != 0)
                std::cout << "[" << netkit::to_string(answer.status) << " " << answer.code << "]\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "Something went wrong, exiting...\n" << e.what() << "\n";
        return 1;
    }
}
