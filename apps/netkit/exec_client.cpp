// `netkit exec HOST PORT [COMMAND...]`: run one command on a command server, or type commands at
// the lesson's `-> ` prompt until ESC.
#include "cli_common.hpp"
#include "tls_client_options.hpp"

#include <netkit/exec/exec_connection.hpp>
#include <netkit/exec/token.hpp>

#include <iostream>

namespace netkit::cli {

namespace {

// What the output alone does not say, on stderr so that stdout holds only the command's output.
void explain(const exec::response_header& h) {
    if (h.truncated) std::cerr << "[output truncated by the server]\n";
    switch (h.status) {
    case exec::exec_status::exit:
        if (h.code != 0) std::cerr << "[exit status " << h.code << "]\n";
        break;
    case exec::exec_status::signal: std::cerr << "[killed by signal " << h.code << "]\n"; break;
    case exec::exec_status::timeout: std::cerr << "[timed out: the server killed the command]\n"; break;
    case exec::exec_status::denied:
    case exec::exec_status::error: break;  // the body says why
    }
}

exec::response_header run_one(exec::exec_connection& c, const std::string& line) {
    // DENIED and ERROR bodies are messages, not output: they go to stderr.
    const exec::response_header h = c.run(line, std::cout, std::cerr);
    explain(h);
    return h;
}

int interactive(exec::exec_connection& c, const std::string& where) {
    std::cout << "connected to " << where << ". Type a command, ESC to quit.\n";
    for (std::string line;;) {
        std::cout << "-> " << std::flush;
        if (!std::getline(std::cin, line)) break;
        if (line == "ESC") {
            std::cout << "closing the connection to the server.\n";
            break;
        }
        if (line.size() > 4096) {
            std::cerr << "that line is longer than 4096 bytes: the server would refuse it\n";
            continue;
        }
        run_one(c, line);
    }
    return 0;
}

// The words from COMMAND on belong to the remote command, even those that look like options
// (`ls -l`): they are cut off before option parsing. "--" also ends the options.
std::pair<args, args> split_command(const args& a) {
    std::size_t positionals = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--") return {args(a.begin(), a.begin() + i), args(a.begin() + i + 1, a.end())};
        if (a[i] == "--token-file" || a[i] == "--ca" || a[i] == "--server-name" || a[i] == "--cert" ||
            a[i] == "--key")
            ++i;  // its value
        else if (a[i].starts_with("-")) continue;
        else if (++positionals == 3) return {args(a.begin(), a.begin() + i), args(a.begin() + i, a.end())};
    }
    return {a, {}};
}

}  // namespace

int exec_client(const args& all) {
    auto [a, command] = split_command(all);
    std::string host, port, token_file;
    tls::client_options tls;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port")
        ("token-file", po::value(&token_file), "file whose first line is the server's token");
    add_tls_client_options(options, tls);
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit exec HOST PORT [--token-file F] [--tls [--ca FILE]] [COMMAND...]",
                          "Runs COMMAND on a command server and exits with its status (128+N when a "
                          "signal killed it, 124 on timeout, 125 on a server error, 126 when the "
                          "program is not allowed). The words of COMMAND are joined with spaces and "
                          "split again by the server, as ssh does, so quote them for the server. "
                          "Without COMMAND, shows the lesson's `-> ` prompt; ESC quits.",
                          options, vm, &positional))
        return *done;

    tls = tls_client_settings(tls);
    asio::io_context io;
    exec::exec_connection c(io, host, port, tls);
    if (!token_file.empty()) c.authenticate(exec::read_token_file(token_file));
    if (command.empty()) return interactive(c, host + ":" + port);
    std::string line;
    for (const auto& w : command) line += (line.empty() ? "" : " ") + w;
    if (line.size() > 4096) throw usage_error("the command is longer than 4096 bytes");
    return client_exit_code(run_one(c, line));
}

}  // namespace netkit::cli
