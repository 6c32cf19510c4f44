// `netkit serve exec` and `netkit exec` as an operator runs them: protected mode, tokens, the
// one-shot client's exit status and the lesson's interactive prompt.
#include "support/child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

using netkit::test::child_process;

namespace {

const std::string exe = NETKIT_EXE;

// Runs `netkit ARGS...` with stderr joined to stdout; returns {exit status, output}.
std::pair<int, std::string> netkit_run(const std::string& args, const std::string& input = "") {
    child_process p({"/bin/sh", "-c", "exec " + exe + " " + args + " 2>&1"});
    if (!input.empty()) p.write_stdin(input);
    p.close_stdin();
    std::string out = p.read_all();
    return {p.wait().value_or(-1), out};
}

struct exec_server {
    child_process process;
    std::string port;
    explicit exec_server(std::vector<std::string> extra)
        : process([&] {
              std::vector<std::string> argv{exe, "serve", "exec", "--port", "0", "--threads", "2", "--log-level", "warn"};
              argv.insert(argv.end(), extra.begin(), extra.end());
              return argv;
          }()) {
        port = std::to_string(process.wait_listening());
    }
    ~exec_server() {
        process.signal(SIGTERM);
        process.wait();
    }
    std::string client(const std::string& rest) const { return "exec 127.0.0.1 " + port + " " + rest; }
};

struct token_file {
    std::string path;
    explicit token_file(const std::string& token) {
        char name[] = "/tmp/netkit-exec-token-XXXXXX";
        const int fd = ::mkstemp(name);
        BOOST_TEST_REQUIRE(fd >= 0);
        ::close(fd);
        path = name;
        std::ofstream(path) << token << "\n";
    }
    ~token_file() { std::remove(path.c_str()); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(exec_cli)

BOOST_AUTO_TEST_CASE(refuses_to_listen_publicly_without_a_token) {
    for (const char* args : {"serve exec --bind 0.0.0.0 --port 0", "serve exec --bind :: --port 0",
                             "serve exec --bind :: --port 0 --allow-shell"}) {
        const auto [status, out] = netkit_run(args);
        BOOST_TEST(status == 2, args);
        BOOST_TEST(out.find("refusing to listen on") != std::string::npos, out);
        BOOST_TEST(out.find("--token-file") != std::string::npos);
        BOOST_TEST(out.find("listening on") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(numeric_options_are_range_checked) {
    for (const std::string option : {"--max-output -1", "--max-procs -1", "--max-procs 0", "--max-memory 1",
                                     "--max-child-procs 0", "--max-file-size -5", "--login-timeout -1",
                                     "--login-timeout 0", "--timeout -1"}) {
        const auto [status, out] = netkit_run("serve exec --port 0 " + option);
        BOOST_TEST(status == 2, option);
        BOOST_TEST(out.find(option.substr(0, option.find(' '))) != std::string::npos, out);
        BOOST_TEST(out.find("listening on") == std::string::npos);
    }
    auto [status, out] = netkit_run("serve exec --port 0 --allow date:");
    BOOST_TEST(status == 1);
    BOOST_TEST(out.find("an argument word cannot be empty") != std::string::npos, out);
    if (::geteuid() == 0) {  // only root switches users, so only root needs the user to exist
        std::tie(status, out) = netkit_run("serve exec --port 0 --run-as no-such-user-netkit");
        BOOST_TEST(status == 2);
        BOOST_TEST(out.find("--run-as: no user named 'no-such-user-netkit'") != std::string::npos, out);
    }
}

BOOST_AUTO_TEST_CASE(one_shot_client_exits_with_the_remote_status) {
    exec_server shell({"--allow-shell", "--timeout", "1"});
    auto [status, out] = netkit_run(shell.client("echo hi there"));
    BOOST_TEST(status == 0);
    BOOST_TEST(out == "hi there\n");
    std::tie(status, out) = netkit_run(shell.client("'exit 3'"));
    BOOST_TEST(status == 3);
    std::tie(status, out) = netkit_run(shell.client("'kill -TERM $$'"));
    BOOST_TEST(status == 128 + SIGTERM);
    BOOST_TEST(out.find("killed by signal 15") != std::string::npos);
    std::tie(status, out) = netkit_run(shell.client("'echo early; exec sleep 10'"));
    BOOST_TEST(status == 124);
    BOOST_TEST(out.find("early\n") == 0u);
    BOOST_TEST(out.find("timed out") != std::string::npos);

    exec_server safe({});
    std::tie(status, out) = netkit_run(safe.client("rm -rf /tmp/nothing-here"));  // -rf is not ours
    BOOST_TEST(status == 126);
    BOOST_TEST(out.find("'rm' is not an allowed program") != std::string::npos);
    std::tie(status, out) = netkit_run(safe.client("uname -s"));
    BOOST_TEST(status == 0);
    BOOST_TEST(out == "Linux\n");
}

BOOST_AUTO_TEST_CASE(client_token_must_match) {
    token_file right("correct horse"), wrong("battery staple");
    exec_server s({"--token-file", right.path});
    auto [status, out] = netkit_run(s.client("echo no token"));  // the server wants AUTH first
    BOOST_TEST(status != 0);
    std::tie(status, out) = netkit_run("exec 127.0.0.1 " + s.port + " --token-file " + wrong.path + " echo x");
    BOOST_TEST(status == 1);
    BOOST_TEST(out.find("refused the token: wrong token") != std::string::npos, out);
    std::tie(status, out) = netkit_run("exec 127.0.0.1 " + s.port + " --token-file " + right.path + " echo x");
    BOOST_TEST(status == 0);
    BOOST_TEST(out == "x\n");
}

BOOST_AUTO_TEST_CASE(interactive_prompt_until_esc) {
    exec_server s({});
    const auto [status, out] = netkit_run(s.client(""), "echo one\nwhoami-not\nESC\necho never\n");
    BOOST_TEST(status == 0);
    BOOST_TEST(out.find("-> one\n") != std::string::npos, out);
    BOOST_TEST(out.find("'whoami-not' is not an allowed program") != std::string::npos);
    BOOST_TEST(out.find("closing the connection") != std::string::npos);
    BOOST_TEST(out.find("never") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
