// Lesson 002, the multi-process TCP echo server: a process per connection. After accept() the
// server forks; the child serves that one client and exits, the parent closes its copy of the
// client socket and accepts the next. The parent reaps finished children on SIGCHLD.
// Usage: lesson-002-fork-echo-server [HOST] [PORT]   (default 127.0.0.1 2300)
#include "../lesson_args.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

// The child's whole job: recv(1024), print, send it back; then the process ends.
asio::awaitable<void> echo_once(tcp::socket client) {
    char echo_txt[1024];
    const std::size_t n = co_await client.async_read_some(asio::buffer(echo_txt), use_awaitable);
    std::cout << "child " << ::getpid() << " C: " << std::string_view(echo_txt, n) << std::endl;
    co_await asio::async_write(client, asio::buffer(echo_txt, n), use_awaitable);
}

asio::awaitable<void> accept_loop(asio::io_context& io, tcp::acceptor& ss, asio::signal_set& signals) {
    for (;;) {
        tcp::socket client = co_await ss.async_accept(use_awaitable);           // accept()
        std::cout << "Client connected from: " << netkit::to_string(client.remote_endpoint())
                  << std::endl;  // flushed: a child must not inherit unwritten output
        io.notify_fork(asio::io_context::fork_prepare);  // Asio's epoll and signal state...
        const pid_t pid = ::fork();                                             // fork()
        if (pid == 0) {
            io.notify_fork(asio::io_context::fork_child);  // ...rebuilt for the child
            ss.close();         // the child never accepts...
            signals.cancel();   // ...nor reaps: those are the parent's jobs
            signals.clear();
            try {
                co_await echo_once(std::move(client));
            } catch (const std::exception& e) {
                std::cerr << "child " << ::getpid() << ": " << e.what() << "\n";
            }
            co_return;  // nothing left to run: io.run() returns and the child exits
        }
        io.notify_fork(asio::io_context::fork_parent);
        if (pid < 0) std::cerr << "fork failed: " << std::strerror(errno) << "\n";
        else std::cout << "child " << pid << " serves it" << std::endl;
        client.close();  // the child has its own copy; the parent's would keep the connection open
    }
}

// SIGCHLD: collect every finished child, or it stays a zombie. SIGINT/SIGTERM: stop accepting.
asio::awaitable<void> watch_signals(tcp::acceptor& ss, asio::signal_set& signals) {
    for (;;) {
        const int signo = co_await signals.async_wait(use_awaitable);
        if (signo != SIGCHLD) {
            ss.close();
            co_return;
        }
        for (pid_t pid; (pid = ::waitpid(-1, nullptr, WNOHANG)) > 0;)
            std::cout << "child " << pid << " reaped" << std::endl;
    }
}

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-002-fork-echo-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "2300");
    const tcp::endpoint where(lesson::server_address(args, usage), args.port);
    asio::io_context io;
    asio::signal_set signals(io, SIGCHLD, SIGINT, SIGTERM);

    tcp::acceptor ss(io);
    ss.open(where.protocol());                                // socket()
    ss.set_option(tcp::acceptor::reuse_address(true));        // SO_REUSEADDR
    ss.bind(where);                                           // bind()
    ss.listen(5);                                             // listen(5)
    netkit::announce_listening(std::cout, netkit::to_string(ss.local_endpoint()), "");

    const auto ignore_end = [](std::exception_ptr) {};  // the acceptor closed: a normal stop
    asio::co_spawn(io, accept_loop(io, ss, signals), ignore_end);
    asio::co_spawn(io, watch_signals(ss, signals), ignore_end);
    io.run();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-002-fork-echo-server: " << e.what() << "\n";
    return 1;
}
