// `netkit serve echo`: TCP echo, or UDP echo with --udp. With --workers N, N pre-forked processes
// share the port (SO_REUSEPORT) and the kernel spreads connections over them (lesson 002's
// multi-process model, without a fork per connection); the parent forwards SIGINT/SIGTERM and
// SIGHUP (each worker reloads its own certificate and settings) and waits for them.
#include "cli_common.hpp"
#include "tls_server_options.hpp"

#include <netkit/echo/echo_session.hpp>
#include <netkit/echo/udp_echo.hpp>
#include <netkit/endpoint.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <vector>

namespace netkit::cli {

namespace {

int serve_one(const server_settings& s, const tls_listeners& tls, std::uint16_t port, bool udp_mode, bool reuse_port) {
    logger log(parse_level(s.log_level));
    server_host host(log);
    enable_metrics(host, s);
    if (udp_mode)
        host.add_udp({.bind_address = s.bind, .port = port, .label = {}}, echo::udp_echo_handler());
    else {
        auto options = tls.apply(listener(s, port));
        options.reuse_port = reuse_port;
        host.add_tcp(options, echo::echo_session_factory());
        tls.reload_on_sighup(host);
    }
    return run_host(host, s);
}

// Port 0 with several workers: every worker must bind the same port, so the parent picks one by
// binding a SO_REUSEPORT socket it keeps (never listening, so it gets no connections).
int reserve_port(const std::string& bind, std::uint16_t& port) {
    const tcp::endpoint wanted(parse_address(bind), port);
    const int fd = ::socket(wanted.address().is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    const int on = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
        ::bind(fd, wanted.data(), static_cast<socklen_t>(wanted.size())) != 0)
        throw std::runtime_error("cannot reserve a port on " + to_string(wanted));
    tcp::endpoint bound;
    socklen_t len = static_cast<socklen_t>(bound.capacity());
    ::getsockname(fd, bound.data(), &len);
    bound.resize(len);
    port = bound.port();
    return fd;
}

int run_workers(server_settings s, const tls_listeners& tls, std::uint16_t port, unsigned workers) {
    const int reserved = port == 0 ? reserve_port(s.bind, port) : -1;
    if (s.threads == 0) s.threads = 1;  // the processes are the parallelism
    sigset_t handled, previous;
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGHUP);  // not the default action (the parent's end, leaving the workers running)
    sigaddset(&handled, SIGCHLD);
    sigprocmask(SIG_BLOCK, &handled, &previous);
    int ready[2];
    if (::pipe(ready) != 0) throw std::runtime_error("cannot create a pipe");
    std::cout.flush();
    std::vector<pid_t> children;
    for (unsigned i = 0; i < workers; ++i) {
        const pid_t pid = ::fork();
        if (pid < 0) break;
        if (pid == 0) {
            sigprocmask(SIG_SETMASK, &previous, nullptr);
            ::close(ready[0]);
            if (reserved >= 0) ::close(reserved);
            ::dup2(ready[1], STDOUT_FILENO);  // the listening line goes to the parent
            ::close(ready[1]);
            try {
                std::_Exit(serve_one(s, tls, port, false, true));
            } catch (const std::exception& e) {
                std::cerr << "netkit serve echo: worker " << i << ": " << e.what() << "\n";
                std::_Exit(1);
            }
        }
        children.push_back(pid);
    }
    ::close(ready[1]);
    // Announce once every worker is listening (each writes one line to the pipe).
    std::string lines, first;
    char chunk[256];
    std::size_t seen = 0;
    while (seen < children.size()) {
        const ssize_t n = ::read(ready[0], chunk, sizeof chunk);
        if (n <= 0) break;
        lines.append(chunk, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = lines.find('\n')) != std::string::npos) {
            if (first.empty()) first = lines.substr(0, nl);
            lines.erase(0, nl + 1);
            ++seen;
        }
    }
    ::close(ready[0]);
    if (reserved >= 0) ::close(reserved);
    int status_all = 0;
    if (seen == workers) {
        std::cout << first << " (" << workers << " workers)" << std::endl;
    } else {
        std::cerr << "netkit serve echo: a worker failed to start\n";
        status_all = 1;
        for (pid_t pid : children) ::kill(pid, SIGTERM);
    }
    std::size_t running = children.size();
    while (running > 0) {
        int signo = 0;
        if (sigwait(&handled, &signo) != 0) continue;
        if (signo == SIGINT || signo == SIGTERM || signo == SIGHUP) {
            for (pid_t pid : children)
                if (pid > 0) ::kill(pid, signo);
            continue;
        }
        for (pid_t& pid : children) {
            int status = 0;
            if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid) {
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) status_all = 1;
                pid = -1;
                --running;
            }
        }
    }
    return status_all;
}

}  // namespace

int serve_echo(const args& a) {
    server_settings s;
    std::uint16_t port_number = 7007;
    bool udp_mode = false;
    unsigned workers = 1;
    tls_server_settings tls_settings;
    po::options_description options("options");
    options.add_options()
        ("port", port(port_number, "--port"), "port to listen on (0: any free port)")
        ("udp", po::bool_switch(&udp_mode), "echo UDP datagrams instead of a TCP stream")
        ("workers", number(workers, 1, 256, "--workers"),
         "TCP: processes sharing the port (SO_REUSEPORT); each runs --threads threads (default 1)");
    add_server_options(options, s);
    add_tls_server_options(options, tls_settings);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve echo [options]",
                          "Sends every byte back, in order, until the peer closes. With --udp, each "
                          "datagram (0 to 65507 bytes) goes back unchanged to its sender. " + std::string(tls_server_help),
                          options, vm))
        return *done;
    if (workers > 1 && udp_mode) throw usage_error("--workers is for TCP echo only");
    if (workers > 1 && s.metrics_port)
        throw usage_error("--metrics-port cannot be combined with --workers (each worker counts on its own)");
    const tls_listeners tls(tls_settings);
    if (udp_mode && tls.enabled()) throw usage_error("--tls-cert is for TCP: UDP echo has no TLS");
    if (workers > 1) return run_workers(s, tls, port_number, workers);
    return serve_one(s, tls, port_number, udp_mode, false);
}

}  // namespace netkit::cli
