// Lesson 002 exercise, the client: asks which file to copy, sends its name, waits for the
// server's ack, then sends the file.
// Usage: lesson-002-file-copy-client [HOST] [PORT]   (default 127.0.0.1 32400)
#include "../lesson_args.hpp"

#include <netkit/files/files_client.hpp>

#include <filesystem>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
    using netkit::tcp;
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-file-copy-client [HOST] [PORT]", "127.0.0.1", "32400");
    const std::string host = args.host, port = std::to_string(args.port);

    std::cout << "File to copy: " << std::flush;
    std::string file;
    if (!std::getline(std::cin, file)) return 1;

    try {
        netkit::asio::io_context io;
        tcp::socket socket(io);
        netkit::asio::connect(socket, tcp::resolver(io).resolve(host, port));
        netkit::files::files_client client(std::move(socket));
        client.trace(&std::cout);  // show the protocol: name, ack, bytes, checksum
        const auto copied = client.put(file, std::filesystem::path(file).filename().string());
        std::cout << "copied " << file << " (" << copied.size << " bytes), checksum verified\n";
    } catch (const std::exception& e) {
        std::cerr << "copy failed: " << e.what() << "\n";
        return 1;
    }
}
