// Lesson 000's server.py, made safe: a fixed list of programs, no shell, a timeout, an output
// limit. Usage: lesson-000-server [PORT]   (default 20000, listens on 127.0.0.1 only)
#include <netkit/exec/exec_service.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/server_host.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) try {
    const auto port = netkit::parse_port(argc > 1 ? argv[1] : "20000");
    netkit::logger log;
    netkit::server_host host(log);
    // The defaults: date echo hostname uname uptime whoami, 10 s timeout, 1 MiB of output.
    auto service = std::make_shared<netkit::exec_service>(netkit::exec_options{}, log);
    host.add_tcp({.bind_address = "127.0.0.1", .port = port},
                 netkit::exec_service::session_factory(service));
    std::cout << "allowed programs: " << service->allowed().names() << "\n";
    return host.run(2, std::chrono::seconds(2), std::cout);  // until Ctrl-C
} catch (const std::exception& e) {  // a bad port, or the port already in use
    std::cerr << "lesson-000-server: " << e.what() << "\n";
    return 1;
}
