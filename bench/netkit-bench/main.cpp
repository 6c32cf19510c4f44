// netkit-bench: a load generator for echo, UDP echo and chat servers. Every run is bounded in time
// and prints a table (or JSON) of throughput, latency percentiles and errors.
#include "bench.hpp"

#include <netkit/log.hpp>
#include <netkit/runtime.hpp>
#include <netkit/version.hpp>

#include <boost/program_options.hpp>

#include <csignal>
#include <iostream>

namespace po = boost::program_options;
using namespace netkit::bench;

int main(int argc, char** argv) {
    options o;
    po::options_description desc(
        "usage: netkit-bench SCENARIO --port P [options]\n"
        "scenarios: pingpong, udp-pingpong, stream, chat, connect, hold\n\noptions");
    desc.add_options()
        ("help,h", "this text")
        ("version", "print the version and exit")
        ("host", po::value(&o.host)->default_value(o.host), "server address")
        ("port,p", po::value(&o.port), "server port (required)")
        ("connections,c", po::value(&o.connections)->default_value(o.connections),
         "connections (UDP: sockets) working at once")
        ("size,s", po::value(&o.size)->default_value(o.size), "bytes per message (stream: per write)")
        ("duration,d", po::value(&o.duration)->default_value(o.duration), "seconds of measured load")
        ("setup-limit", po::value(&o.setup_limit)->default_value(o.setup_limit),
         "seconds allowed for connecting before measuring anyway")
        ("threads,t", po::value(&o.threads)->default_value(o.threads), "generator threads")
        ("json", po::bool_switch(&o.json), "print one JSON object instead of the table")
        ("protocol", po::value(&o.protocol)->default_value(o.protocol),
         "chat: header, line, ws (the browser's WebSocket protocol: --port is the chat's --http-port), or "
         "raw (bare lines through a relay without names, e.g. ncat --broker)")
        ("clients,n", po::value(&o.clients)->default_value(o.clients), "chat: clients joined (all receive)")
        ("senders,k", po::value(&o.senders)->default_value(o.senders), "chat: clients that send")
        ("rate", po::value(&o.rate)->default_value(o.rate), "chat: messages/s per sender (0: window-bound)")
        ("window", po::value(&o.window)->default_value(o.window),
         "chat: messages per sender not yet delivered to every receiver")
        ("sender-port", po::value(&o.sender_port),
         "chat: senders join the node on this port, receivers the one on --port (cross-node fan-out)")
        ("udp-timeout-ms", po::value(&o.udp_timeout_ms)->default_value(o.udp_timeout_ms),
         "udp-pingpong: a reply later than this is lost")
        ("tls", po::bool_switch(), "pingpong, stream, connect, chat, hold: TLS on every connection (any "
         "certificate is accepted: the generator measures cost, not identity)")
        ("tls-resume", po::bool_switch(), "connect --tls: offer the previous connection's session on every "
         "handshake (abbreviated handshakes)")
        ("tls-ciphers", po::value<std::string>()->default_value(""),
         "TLS 1.3 suites the client offers, e.g. TLS_AES_128_GCM_SHA256 (default: OpenSSL's)")
        ("hello", po::value(&o.hello)->default_value(o.hello), "hold: none, header or line (join a chat)")
        ("server-pid", po::value(&o.server_pid), "hold: read this process's RSS before and after")
        ("first-name", po::value(&o.first_name)->default_value(o.first_name),
         "hold: number of the first name (hold<N>), for a second generator process joining the same chat");
    po::positional_options_description positional;
    positional.add("scenario", 1);
    desc.add_options()("scenario", po::value(&o.scenario), "scenario");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const std::exception& e) {
        std::cerr << "netkit-bench: " << e.what() << "\n";
        return 2;
    }
    if (vm.count("help")) {
        std::cout << desc << "\n";
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "netkit-bench " << netkit::version << "\n";
        return 0;
    }
    if (!vm.count("port") || o.port == 0 || o.scenario.empty() || o.threads == 0 || o.connections == 0 ||
        o.duration <= 0 || o.duration > 3600) {
        std::cerr << "netkit-bench: need a scenario, --port, and positive --threads, --connections, "
                     "--duration (at most 3600 s); see --help\n";
        return 2;
    }
    if (vm["tls"].as<bool>()) {
        if (o.scenario != "pingpong" && o.scenario != "stream" && o.scenario != "connect" && o.scenario != "chat" &&
            !(o.scenario == "hold" && o.hello == "none")) {
            std::cerr << "netkit-bench: --tls works with pingpong, stream, connect, chat and hold --hello none\n";
            return 2;
        }
        try {
            o.tls.context = make_tls_client_context(vm["tls-ciphers"].as<std::string>());
        } catch (const std::exception& e) {
            std::cerr << "netkit-bench: " << e.what() << "\n";
            return 2;
        }
        o.tls.resume = vm["tls-resume"].as<bool>();
    } else if (vm["tls-resume"].as<bool>() || !vm["tls-ciphers"].as<std::string>().empty()) {
        std::cerr << "netkit-bench: --tls-resume and --tls-ciphers need --tls\n";
        return 2;
    }
    if (o.scenario == "chat" && (o.senders == 0 || o.senders > o.clients || o.window == 0 ||
                                 (o.protocol != "header" && o.protocol != "line" && o.protocol != "raw" && o.protocol != "ws"))) {
        std::cerr << "netkit-bench chat: need 1 <= --senders <= --clients, --window >= 1 and "
                     "--protocol header|line|ws|raw\n";
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    netkit::logger log(netkit::log_level::warn);
    netkit::raise_open_file_limit(log);

    results r;
    try {
        if (o.scenario == "pingpong") pingpong(o, r);
        else if (o.scenario == "stream") stream(o, r);
        else if (o.scenario == "connect") connect_rate(o, r);
        else if (o.scenario == "hold") hold(o, r);
        else if (o.scenario == "udp-pingpong") udp_pingpong(o, r);
        else if (o.scenario == "chat") chat(o, r);
        else {
            std::cerr << "netkit-bench: unknown scenario '" << o.scenario << "'\n";
            return 2;
        }
    } catch (const std::exception& e) {
        std::cerr << "netkit-bench " << o.scenario << ": " << e.what() << "\n";
        return 1;
    }
    if (o.json) print_json(std::cout, o, r);
    else print_table(std::cout, o, r);
    std::cout.flush();
    // The io_context was stopped with coroutines suspended; skip their teardown.
    std::_Exit(r.ready.load() == 0 ? 1 : 0);
}
