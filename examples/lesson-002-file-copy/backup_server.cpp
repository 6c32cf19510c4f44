// Lesson 002 exercise, the server: a backup server on port 32400 that keeps the files clients
// copy to it. Usage: lesson-002-file-copy-server [HOST] [PORT] [DIR]   (default 127.0.0.1 32400 ./backup)
#include "../lesson_args.hpp"

#include <netkit/files/files_service.hpp>
#include <netkit/files/files_session.hpp>
#include <netkit/server_host.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) try {
    constexpr auto usage = "lesson-002-file-copy-server [HOST] [PORT] [DIR]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "32400", 1);
    lesson::server_address(args, usage);  // a numeric address, checked before anything starts
    const std::string dir = argc > 3 ? argv[3] : "backup";

    netkit::logger log;
    netkit::files::files_service backup({.dir = dir}, log);  // PUT name size -> OK -> bytes -> DONE sha256
    netkit::server_host host(log);
    host.add_tcp({.bind_address = args.host, .port = args.port}, netkit::files::files_session_factory(backup));
    std::cout << "backing up into " << dir << "/" << std::endl;
    return host.run(1, std::chrono::seconds(2), std::cout);  // until Ctrl-C
} catch (const std::exception& e) {  // the port already in use, or DIR unusable
    std::cerr << "lesson-002-file-copy-server: " << e.what() << "\n";
    return 1;
}
