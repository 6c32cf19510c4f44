// `netkit serve exec`: the lesson 000 command server, safe by default.
#include "cli_common.hpp"

#include <netkit/endpoint.hpp>
#include <netkit/exec/exec_service.hpp>
#include <netkit/exec/exposure.hpp>
#include <netkit/exec/token.hpp>

namespace netkit::cli {

int serve_exec(const args& a) {
    server_settings s;
    std::uint16_t port = 20000;
    exec_options o;
    std::vector<std::string> allow;
    std::string token_file;
    double timeout = 10.0;
    std::string default_names;
    for (const auto& n : allow_list::default_names()) default_names += (default_names.empty() ? "" : " ") + n;
    po::options_description options("options");
    options.add_options()
        ("port", po::value(&port)->default_value(port), "port to listen on (0: any free port)")
        ("allow", po::value(&allow)->composing(),
         ("program a request may run, by name (looked up in /usr/bin:/bin) or absolute path; "
          "repeatable, replaces the default list: " + default_names).c_str())
        ("token-file", po::value(&token_file),
         "file whose first line is the token clients must send as `AUTH <token>`; required to "
         "listen on a non-loopback address")
        ("allow-shell", po::bool_switch(&o.allow_shell),
         "run each request line with /bin/sh -c, as the lesson does (DANGEROUS: pipes, redirection "
         "and any program become available); needs a loopback --bind or a token")
        ("timeout", po::value(&timeout)->default_value(timeout),
         "seconds a command may run before its process group gets SIGTERM, then SIGKILL")
        ("max-output", po::value(&o.run.max_output)->default_value(o.run.max_output),
         "bytes of output returned per command; the rest is dropped and the response flagged")
        ("max-procs", po::value(&o.max_procs)->default_value(o.max_procs),
         "commands running at once, server-wide; further requests wait their turn")
        ("workdir", po::value(&o.run.workdir)->default_value(o.run.workdir), "working directory of commands");
    add_server_options(options, s);
    po::variables_map vm;
    if (auto done = parse(a, "netkit serve exec [options]",
                          "Runs one allowed program per request line, without a shell, and answers "
                          "`<STATUS> <code> <length>[ truncated]` followed by its output "
                          "(see docs/exec-protocol.md).",
                          options, vm))
        return *done;

    o.run.timeout = seconds_option(timeout, "--timeout", false);
    if (o.max_procs == 0) throw usage_error("--max-procs must be at least 1");
    asio::ip::address bind_address;
    try {
        bind_address = parse_address(s.bind);
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string("--bind: ") + e.what());
    }
    if (auto problem = exposure_problem(bind_address, !token_file.empty())) throw usage_error(*problem);
    if (!token_file.empty()) o.token = read_token_file(token_file);
    if (!allow.empty()) o.allow = allow;

    logger log(parse_level(s.log_level));
    auto service = std::make_shared<exec_service>(o, log);
    if (o.allow_shell)
        log.warn("--allow-shell: every request line runs through /bin/sh -c; whoever can connect",
                 o.token ? " with the token" : "", " can run any command as this user");
    else
        log.info("allowed programs: ", service->allowed().names());
    server_host host(log);
    host.add_tcp(listener(s, port, "exec"),
                 exec_service::session_factory(service));
    return run_host(host, s);
}

}  // namespace netkit::cli
