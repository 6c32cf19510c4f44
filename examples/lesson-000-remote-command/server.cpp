// Lesson 000's server.py with the lesson's bytes: one recv() is the command, the reply is the
// command's raw output (stdout and stderr). What it does not take from the lesson: the shell. A
// command is split into words and its program must be on a short allow list; it runs with a
// timeout and an output limit. Each client gets its own coroutine, so many can connect at once.
// Usage: lesson-000-command-server [HOST] [PORT]   (default 127.0.0.1 20000)
#include "../lesson_args.hpp"

#include <netkit/exec/allow_list.hpp>
#include <netkit/exec/command_line.hpp>
#include <netkit/exec/exposure.hpp>
#include <netkit/exec/run_command.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

// 4 - Elaborazione di una Risposta: the lesson's subprocess.run(shell=True), made safe.
asio::awaitable<std::string> run(const std::string& command, const netkit::exec::allow_list& allowed) {
    const auto split = netkit::exec::split_command_line(command);  // no pipes, `;`, `$VAR` or `>`
    if (!split.ok()) co_return "error: " + split.error + "\n";
    if (split.words.empty()) co_return "error: empty command\n";
    const auto* program = allowed.find(split.words[0]);
    if (program == nullptr)
        co_return "'" + split.words[0] + "' is not an allowed program (allowed: " + allowed.names() + ")\n";
    const std::vector<std::string> arguments(split.words.begin() + 1, split.words.end());
    if (auto refused = netkit::exec::allow_list::argument_problem(*program, arguments)) co_return *refused + "\n";
    netkit::exec::run_options limits;  // 10 s, 1 MiB of output, memory and CPU limits, PATH=/usr/bin:/bin
    auto result = co_await netkit::exec::run_command(program->path, split.words, limits);
    if (result.end == netkit::exec::run_end::failed) co_return "error: " + result.error + "\n";
    if (result.end == netkit::exec::run_end::timed_out) result.output += "[stopped after 10 s]\n";
    if (result.truncated) result.output += "[output cut at 1 MiB]\n";
    // The lesson would send nothing for a silent command, and its client would wait forever.
    if (result.output.empty()) result.output = "[no output]\n";
    co_return result.output;
}

// The lesson's ricevi_comandi(conn): recv a command, run it, send back the output, until the
// client leaves.
asio::awaitable<void> ricevi_comandi(tcp::socket conn, const netkit::exec::allow_list& allowed) {
    const std::string client = netkit::to_string(conn.remote_endpoint());
    const auto no_throw = asio::as_tuple(use_awaitable);  // an error ends the loop, not the server
    char request[4096];
    for (;;) {
        // 5 - Ricezione Richiesta: one recv(4096) is one command, as the lesson's client sends it
        // (a bare string). A trailing newline (typed into nc or telnet) is not part of it.
        const auto [ec, n] = co_await conn.async_read_some(asio::buffer(request), no_throw);
        if (ec) break;  // end of stream: the client closed
        std::string command(request, n);
        while (!command.empty() && (command.back() == '\n' || command.back() == '\r')) command.pop_back();
        std::cout << client << " -> " << command << std::endl;
        const std::string data = co_await run(command, allowed);
        const auto [write_ec, written] = co_await asio::async_write(conn, asio::buffer(data), no_throw);  // 5 - Invio
        if (write_ec) break;
    }
    std::cout << "Connessione chiusa: " << client << std::endl;
}

// Steps 3 and 4: listen, then accept clients; each one is served by its own ricevi_comandi.
asio::awaitable<void> accept_clients(tcp::acceptor& s, const netkit::exec::allow_list& allowed) {
    for (;;) {
        tcp::socket conn = co_await s.async_accept(use_awaitable);  // 4 - Accettazione del Client
        std::cout << "Connessione Server - Client Stabilita: " << netkit::to_string(conn.remote_endpoint())
                  << std::endl;
        asio::co_spawn(s.get_executor(), ricevi_comandi(std::move(conn), allowed), asio::detached);
    }
}

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-000-command-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "20000");
    const tcp::endpoint where(lesson::server_address(args, usage), args.port);
    // date echo hostname uname uptime whoami, each with the few arguments it may take.
    const netkit::exec::allow_list allowed(netkit::exec::allow_list::default_entries());
    if (netkit::exec::exposure_problem(where.address(), false))
        std::cerr << "WARNING: listening on " << args.host << ": anyone who can reach this port can run "
                  << allowed.names() << "\n";

    asio::io_context io;  // one thread: run_command() wants a strand, and this is one
    tcp::acceptor s(io, where);  // 1 - socket(), 2 - bind(), 3 - listen()
    std::cout << "Server Inizializzato. In ascolto... (programs: " << allowed.names() << ")\n";
    netkit::announce_listening(std::cout, netkit::to_string(s.local_endpoint()), "");

    asio::signal_set stop(io, SIGINT, SIGTERM);  // Ctrl-C: stop the loop and exit cleanly
    stop.async_wait([&](boost::system::error_code, int) { io.stop(); });
    asio::co_spawn(io, accept_clients(s, allowed), asio::detached);
    io.run();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-000-command-server: " << e.what() << "\n";
    return 1;
}
