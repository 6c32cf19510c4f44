// Lesson 000's client.py with the lesson's bytes: each command is sent as it was typed (no
// newline) and one recv() shows what came back. `ESC` closes the connection.
// Usage: lesson-000-command-client [HOST] [PORT]   (default 127.0.0.1 20000)
#include "../lesson_args.hpp"

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-000-command-client [HOST] [PORT]", "127.0.0.1", "20000");
    asio::io_context io;
    tcp::socket s(io);                                                   // 1 - Creazione socket
    try {
        asio::connect(s, tcp::resolver(io).resolve(args.host, std::to_string(args.port)));  // 2 - connect
        std::cout << "Connessione al Server: ('" << args.host << "', " << args.port << ") effettuata." << std::endl;
    } catch (const std::exception& e) {
        std::cout << "Qualcosa è andato storto, sto uscendo... \n" << e.what() << std::endl;
        return 1;
    }
    try {
        for (std::string comando;;) {  // the lesson's invia_comandi(s)
            std::cout << "-> " << std::flush;
            if (!std::getline(std::cin, comando) || comando == "ESC") break;
            if (comando.empty()) continue;  // TCP carries no empty message: recv would wait forever
            asio::write(s, asio::buffer(comando));                       // 3 - send()
            // 4 - recv(4096): whatever has arrived, up to 4096 bytes. TCP keeps no message
            // boundaries, so a long output can take more than one recv; lesson 003 frames messages.
            char data[4096];
            const std::size_t n = s.read_some(asio::buffer(data));
            std::cout << std::string_view(data, n) << std::endl;         // print(str(data, "utf-8"))
        }
    } catch (const std::exception& e) {
        std::cout << "Connessione interrotta: " << e.what() << std::endl;
        return 1;
    }
    std::cout << "Sto chiudendo la connessione col Server." << std::endl;
    s.close();
    return 0;
}
