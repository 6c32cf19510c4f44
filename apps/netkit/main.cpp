// `netkit`: run a service (`netkit serve SERVICE`) or talk to one (`netkit CLIENT HOST PORT`).
#include "cli_common.hpp"
#include "commands.hpp"

#include <netkit/version.hpp>

#include <iostream>
#include <string_view>

namespace {

using netkit::cli::args;

struct command {
    std::string_view name;
    int (*run)(const args&);
    std::string_view summary;
};

constexpr command services[] = {
    {"echo", netkit::cli::serve_echo, "TCP echo (or UDP with --udp)"},
    {"date", netkit::cli::serve_date, "UDP date server (RFC 867 style TCP with --tcp)"},
    {"chat", netkit::cli::serve_chat, "chat hub: lesson 003 header protocol + lesson 004 line protocol"},
    {"exec", netkit::cli::serve_exec, "command server (lesson 000), safe by default"},
    {"files", netkit::cli::serve_files, "file-copy server (lesson 002 exercise)"},
};

constexpr command clients[] = {
    {"echo", netkit::cli::echo_client, "send text to an echo server and print what comes back"},
    {"date", netkit::cli::date_client, "ask a date server for the time"},
    {"chat", netkit::cli::chat_client, "console chat client"},
    {"exec", netkit::cli::exec_client, "run a command on a command server"},
    {"put", netkit::cli::put_client, "upload a file to a file-copy server"},
    {"get", netkit::cli::get_client, "download a file from a file-copy server"},
};

void usage(std::ostream& out) {
    out << "usage: netkit serve SERVICE [options]   run a service\n"
           "       netkit CLIENT HOST PORT [options] talk to one\n\nservices:\n";
    for (const auto& c : services) out << "  serve " << c.name << std::string(8 - c.name.size(), ' ') << c.summary << "\n";
    out << "\nclients:\n";
    for (const auto& c : clients) out << "  " << c.name << std::string(14 - c.name.size(), ' ') << c.summary << "\n";
    out << "\n'netkit serve SERVICE --help' or 'netkit CLIENT --help' shows a command's options;\n"
           "'netkit --version' prints the version.\n";
}

template <std::size_t N>
const command* find(const command (&table)[N], std::string_view name) {
    for (const auto& c : table)
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    const args words(argv + 1, argv + argc);
    if (!words.empty() && (words[0] == "--version" || words[0] == "-V" || words[0] == "version")) {
        std::cout << "netkit " << netkit::version << "\n";
        return 0;
    }
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        usage(words.empty() ? std::cerr : std::cout);
        return words.empty() ? 2 : 0;
    }
    const bool serve = words[0] == "serve";
    if (serve && words.size() < 2) {
        std::cerr << "netkit serve: which service? (echo, date, chat, exec, files)\n";
        return 2;
    }
    const std::string_view name = serve ? words[1] : words[0];
    const command* c = serve ? find(services, name) : find(clients, name);
    const std::string full = serve ? "netkit serve " + std::string(name) : "netkit " + std::string(name);
    if (!c) {
        std::cerr << "netkit: unknown " << (serve ? "service" : "command") << " '" << name << "'\n\n";
        usage(std::cerr);
        return 2;
    }
    try {
        return c->run(args(words.begin() + (serve ? 2 : 1), words.end()));
    } catch (const netkit::cli::usage_error& e) {
        std::cerr << full << ": " << e.what() << "\nTry '" << full << " --help'.\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << full << ": " << e.what() << "\n";
        return 1;
    }
}
