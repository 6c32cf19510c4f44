// Lesson 002, the multi-process echo server: WORKERS processes listen on the same port with
// SO_REUSEPORT (the kernel spreads new connections over them); each runs its own event loop with
// netkit's echo sessions. The parent forwards SIGINT/SIGTERM to the workers and waits for them all.
// Usage: lesson002_multi_process_server PORT [WORKERS [ADDRESS]]   (defaults: one per core, 127.0.0.1)
#include <netkit/echo/echo_session.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/runtime.hpp>
#include <netkit/server_host.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

// One worker process: its own io_context (inside server_host) serving echo until SIGINT/SIGTERM.
// Writes its port to `ready` once it listens.
int run_worker(const std::string& address, std::uint16_t port, int ready, const sigset_t& signals) {
    netkit::logger log(netkit::log_level::info, &std::cout);
    netkit::server_host host(log);  // from here on its signal_set catches SIGINT/SIGTERM...
    ::sigprocmask(SIG_UNBLOCK, &signals, nullptr);  // ...so the worker may receive them
    auto echo = netkit::echo_session_factory();
    auto& server = host.add_tcp({.bind_address = address, .port = port, .reuse_port = true},
                                [&log, echo](netkit::tcp::socket socket) {
                                    boost::system::error_code ec;
                                    const auto peer = socket.remote_endpoint(ec);
                                    log.info("worker ", ::getpid(), " serves ", netkit::to_string(peer));
                                    return echo(std::move(socket));
                                });
    const std::uint16_t bound = server.local_endpoint().port();
    if (::write(ready, &bound, sizeof bound) != sizeof bound) return 1;
    ::close(ready);
    std::ostringstream quiet;  // the parent prints the one "listening on" line for all workers
    return host.run(1, std::chrono::seconds(2), quiet);
}

// Forks a worker and waits until it listens. Port 0 becomes the port the first worker got, so
// every later worker joins it.
pid_t start_worker(const std::string& address, std::uint16_t& port, const sigset_t& signals) {
    int ready[2];
    if (::pipe(ready) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {  // the child: fork() came before any io_context, so it starts from a clean slate
        ::close(ready[0]);
        int status = 1;
        try {
            status = run_worker(address, port, ready[1], signals);
        } catch (const std::exception& e) {
            std::cerr << "worker " << ::getpid() << ": " << e.what() << "\n";
        }
        std::exit(status);
    }
    ::close(ready[1]);
    std::uint16_t bound = 0;
    const bool listening = ::read(ready[0], &bound, sizeof bound) == sizeof bound;  // EOF: it failed
    ::close(ready[0]);
    if (!listening) throw std::runtime_error("worker " + std::to_string(pid) + " could not listen");
    port = bound;
    return pid;
}

int main(int argc, char* argv[]) {
    if (argc < 2 || argc > 4) {
        std::cerr << "usage: lesson002_multi_process_server PORT [WORKERS [ADDRESS]]\n";
        return 2;
    }
    std::vector<pid_t> workers;
    // Blocked signals wait for sigwait() below instead of killing the parent; workers unblock them.
    sigset_t signals;
    ::sigemptyset(&signals);
    for (int s : {SIGINT, SIGTERM, SIGCHLD}) ::sigaddset(&signals, s);
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    bool stopping = false, clean = true;
    try {
        std::uint16_t port = netkit::parse_port(argv[1]);
        const std::string n = argc > 2 ? argv[2] : std::to_string(netkit::default_thread_count());
        unsigned count = 0;
        const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
        if (ec != std::errc() || end != n.data() + n.size() || count < 1 || count > 64)
            throw std::invalid_argument("WORKERS must be a number from 1 to 64, not '" + n + "'");
        const std::string address = argc > 3 ? argv[3] : "127.0.0.1";
        const auto ip = netkit::parse_address(address);
        while (workers.size() < count) workers.push_back(start_worker(address, port, signals));
        for (pid_t pid : workers) std::cout << "worker " << pid << " started" << std::endl;
        netkit::announce_listening(std::cout, netkit::to_string(netkit::tcp::endpoint(ip, port)), "");
    } catch (const std::exception& e) {
        std::cerr << "multi_process_server: " << e.what() << "\n";
        stopping = true, clean = false;
        for (pid_t pid : workers) ::kill(pid, SIGTERM);
    }

    // The parent's whole job from now on: forward a stop request, and reap the workers.
    while (!workers.empty()) {
        int signo = 0;
        ::sigwait(&signals, &signo);
        if (signo != SIGCHLD) {
            if (!stopping)
                for (pid_t pid : workers) ::kill(pid, SIGTERM);
            stopping = true;
            continue;
        }
        int status = 0;
        for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
            std::erase(workers, pid);
            if (!stopping || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                std::cerr << "multi_process_server: worker " << pid << " ended unexpectedly\n";
                clean = false;
            }
        }
    }
    return clean ? 0 : 1;
}
