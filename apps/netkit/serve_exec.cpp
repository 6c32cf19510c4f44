// `netkit serve exec`: the lesson 000 command server, safe by default.
#include "cli_common.hpp"
#include "tls_server_options.hpp"

#include <netkit/endpoint.hpp>
#include <netkit/exec/exec_service.hpp>
#include <netkit/exec/exec_session.hpp>
#include <netkit/exec/exposure.hpp>
#include <netkit/exec/token.hpp>

namespace netkit::cli {

int serve_exec(const args& a) {
    server_settings s;
    std::uint16_t port = 20000;
    exec::exec_options o;
    std::vector<std::string> allow;
    std::string token_file;
    double timeout = 10.0;
    double login_timeout = 30.0;
    tls_server_settings tls_settings;
    bool allow_plaintext = false;
    std::uint64_t memory_mib = o.run.max_address_space >> 20;
    std::uint64_t file_mib = o.run.max_file_size >> 20;
    std::string default_names;
    for (const auto& n : exec::allow_list::default_entries()) default_names += (default_names.empty() ? "" : " ") + n;
    po::options_description options("options");
    options.add_options()
        ("port", po::value(&port)->default_value(port), "port to listen on (0: any free port)")
        ("allow", po::value(&allow)->composing(),
         ("program a request may run, by name (looked up in /usr/bin:/bin) or absolute path, and "
          "the arguments it takes: NAME (none), NAME:W1,W2 (each argument one of these words) or "
          "NAME:* (any); repeatable, replaces the default list: " + default_names).c_str())
        ("token-file", po::value(&token_file),
         "file whose first line is the token clients must send as `AUTH <token>`; required to "
         "listen on a non-loopback address")
        ("allow-plaintext", po::bool_switch(&allow_plaintext),
         "listen on a non-loopback address without TLS: the token and every command and its output "
         "then cross the network readable by anyone on the path")
        ("allow-shell", po::bool_switch(&o.allow_shell),
         "run each request line with /bin/sh -c, as the lesson does (DANGEROUS: pipes, redirection "
         "and any program become available); needs a loopback --bind or a token")
        ("timeout", po::value(&timeout)->default_value(timeout),
         "seconds a command may run before its process group gets SIGTERM, then SIGKILL")
        ("login-timeout", po::value(&login_timeout)->default_value(login_timeout),
         "seconds a connection may take to send a correct AUTH line (with --token-file)")
        ("max-output", number(o.run.max_output, 0, 1ULL << 30, "--max-output"),
         "bytes of output returned per command; the rest is dropped and the response flagged")
        ("max-procs", number(o.max_procs, 1, 1024, "--max-procs"),
         "commands running at once, server-wide; further requests wait their turn")
        ("max-memory", number(memory_mib, 16, 1ULL << 20, "--max-memory"),
         "MiB of address space per command process (RLIMIT_AS)")
        ("max-file-size", number(file_mib, 0, 1ULL << 20, "--max-file-size"),
         "MiB a command may write to any one file (RLIMIT_FSIZE)")
        ("max-child-procs", number(o.run.max_processes, 1, 65536, "--max-child-procs"),
         "processes the commands' user may have at once (RLIMIT_NPROC; not enforced for root)")
        ("run-as", po::value(&o.run_as)->default_value(o.run_as),
         "user commands run as when the server runs as root")
        ("workdir", po::value(&o.run.workdir)->default_value(o.run.workdir), "working directory of commands");
    add_server_options(options, s);
    add_tls_server_options(options, tls_settings);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve exec [options]",
                          "Runs one allowed program per request line, without a shell, and answers "
                          "`<STATUS> <code> <length>[ truncated]` followed by its output "
                          "(see docs/exec-protocol.md). On an address other than loopback it needs a token "
                          "(--token-file) and TLS (--tls-cert, --tls-key), unless --allow-plaintext. " +
                              std::string(tls_server_help),
                          options, vm))
        return *done;

    o.run.timeout = seconds_option(timeout, "--timeout", false);
    o.login_timeout = seconds_option(login_timeout, "--login-timeout", false);
    o.run.max_address_space = memory_mib << 20;
    o.run.max_file_size = file_mib << 20;
    if (o.run_as.empty()) throw usage_error("--run-as: give a user name");
    asio::ip::address bind_address;
    try {
        bind_address = parse_address(s.bind);
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("--bind: ") + e.what());
    }
    if (auto problem = exec::exposure_problem(bind_address, !token_file.empty())) throw usage_error(*problem);
    const tls_listeners tls(tls_settings);
    if (!tls.enabled() && !allow_plaintext && !exec::is_loopback(bind_address))
        throw usage_error("refusing to listen on " + bind_address.to_string() +
                          " without TLS: the token and every command would cross the network in clear. Give "
                          "--tls-cert and --tls-key, or --allow-plaintext on a network you trust.");
    if (!token_file.empty()) o.token = exec::read_token_file(token_file);
    if (!allow.empty()) o.allow = allow;

    logger log(parse_level(s.log_level));
    server_host host(log);
    std::optional<exec::exec_metrics> counted;
    if (auto* registry = enable_metrics(host, s)) o.metrics = &counted.emplace(*registry);
    std::shared_ptr<exec::exec_service> service;
    try {
        service = std::make_shared<exec::exec_service>(o, log);
    } catch (const std::runtime_error& e) {
        if (std::string_view(e.what()).starts_with("--run-as")) throw usage_error(e.what());
        throw;
    }
    if (o.allow_shell)
        log.warn("--allow-shell: every request line runs through /bin/sh -c; whoever can connect",
                 o.token ? " with the token" : "", " can run any command as ",
                 service->options().run.user ? o.run_as : "this user");
    else
        log.info("allowed programs: ", service->allowed().names());
    if (service->options().run.user) log.info("commands run as ", o.run_as);
    host.add_tcp(tls.apply(listener(s, port, "exec")), exec::exec_session_factory(service));
    tls.reload_on_sighup(host);
    return run_host(host, s);
}

}  // namespace netkit::cli
