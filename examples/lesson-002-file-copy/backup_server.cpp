// Lesson 002 exercise, the server: a backup server on port 32400 that keeps the files clients
// copy to it. Usage: lesson002_backup_server [DIR [PORT]]   (default: ./backup 32400)
#include <netkit/files/files_service.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/server_host.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) try {
    const std::string dir = argc > 1 ? argv[1] : "backup";
    const auto port = netkit::parse_port(argc > 2 ? argv[2] : "32400");

    netkit::logger log;
    netkit::files_service backup({.dir = dir}, log);  // PUT name size -> OK -> bytes -> DONE sha256
    netkit::server_host host(log);
    host.add_tcp({.port = port}, backup.session_factory());
    std::cout << "backing up into " << dir << "/" << std::endl;
    return host.run(1, std::chrono::seconds(2), std::cout);  // until Ctrl-C
} catch (const std::exception& e) {  // a bad port, or the port already in use
    std::cerr << "lesson002_backup_server: " << e.what() << "\n";
    return 1;
}
