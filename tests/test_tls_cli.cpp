// TLS from the command line: the `netkit` clients with --tls against `openssl s_server` (so the
// client side is checked against an independent implementation), and the TLS options of the serve
// commands with the netkit clients, openssl s_client and the lesson 003 Python client.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <string>
#include <vector>

using netkit::test::cert_pair;
using netkit::test::child_process;
using netkit::test::temp_dir;
using netkit::test::test_pki;

namespace {

const std::string exe = NETKIT_EXE;

struct run_result {
    int status = -1;
    std::string out, err;
};

// Runs `netkit ARGS` through the shell (ARGS may hold redirections); stdout and stderr apart.
run_result netkit_run(const temp_dir& dir, const std::string& args, const std::string& input = "") {
    const std::string err_file = (dir.path / "stderr.txt").string();
    child_process p({"/bin/sh", "-c", "exec " + exe + " " + args + " 2>" + err_file});
    if (!input.empty()) p.write_stdin(input);
    p.close_stdin();
    run_result r;
    r.out = p.read_all(std::chrono::seconds(20));
    r.status = p.wait(std::chrono::seconds(20)).value_or(-1);
    r.err = netkit::test::read_file(err_file);
    return r;
}

std::size_t lines_in(const std::string& text) {
    std::size_t n = 0;
    for (char c : text) n += c == '\n';
    return n;
}

// `openssl s_server -rev` on a free loopback port for one connection: it sends every line back
// reversed, so what a client prints proves it went through the server.
struct openssl_server {
    child_process process;
    std::string port;
    openssl_server(const cert_pair& pair, std::vector<std::string> extra = {})
        : process([&] {
              std::string command = "exec /usr/bin/openssl s_server -accept 127.0.0.1:0 -naccept 1 -rev -cert " +
                                    pair.cert.string() + " -key " + pair.key.string();
              for (const auto& word : extra) command += " " + word;
              return std::vector<std::string>{"/bin/sh", "-c", command + " 2>/dev/null"};  // its chatter
          }()) {
        while (auto line = process.read_line(std::chrono::seconds(20))) {
            if (line->starts_with("ACCEPT 127.0.0.1:")) {
                port = line->substr(17);
                return;
            }
        }
        throw std::runtime_error("openssl s_server did not start");
    }
};

// One line on stderr naming the reason and the server, exit status 1, nothing on stdout.
void check_refused(const run_result& r, const std::string& reason, const std::string& where) {
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.out.empty(), r.out);
    BOOST_TEST(lines_in(r.err) == 1u, r.err);
    BOOST_TEST(r.err.find("TLS: certificate verify failed (" + reason + ") for " + where) != std::string::npos, r.err);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_cli)

BOOST_AUTO_TEST_CASE(echo_client_verifies_openssl_server_and_exchanges) {
    temp_dir dir;
    const test_pki pki(dir.path);
    for (const std::string host : {"127.0.0.1", "localhost"}) {
        openssl_server server(pki.server);
        const auto r = netkit_run(dir, "echo " + host + " " + server.port + " --tls --ca " + pki.ca.string() + " hello");
        BOOST_TEST(r.status == 0, r.err);
        BOOST_TEST(r.out == "olleh\n");
        BOOST_TEST(r.err.empty(), r.err);
    }
}

BOOST_AUTO_TEST_CASE(client_refuses_server_signed_by_another_ca) {
    temp_dir dir;
    const test_pki pki(dir.path);
    openssl_server server(pki.server);
    const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls --ca " + pki.other_ca.string() + " hi");
    check_refused(r, "unable to get local issuer certificate", "127.0.0.1:" + server.port);
}

BOOST_AUTO_TEST_CASE(client_refuses_untrusted_server_and_system_store_does_not_trust_test_ca) {
    temp_dir dir;
    const test_pki pki(dir.path);
    {
        openssl_server server(pki.untrusted);
        const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls --ca " + pki.ca.string() + " hi");
        check_refused(r, "unable to get local issuer certificate", "127.0.0.1:" + server.port);
    }
    {
        openssl_server server(pki.server);
        const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls hi");
        check_refused(r, "unable to get local issuer certificate", "127.0.0.1:" + server.port);
    }
}

BOOST_AUTO_TEST_CASE(client_refuses_wrong_host_name_and_address) {
    temp_dir dir;
    const test_pki pki(dir.path);
    {
        openssl_server server(pki.wrong_host);
        const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls --ca " + pki.ca.string() + " hi");
        check_refused(r, "IP address mismatch", "127.0.0.1:" + server.port);
    }
    {
        openssl_server server(pki.wrong_host);
        const auto r = netkit_run(dir, "echo localhost " + server.port + " --tls --ca " + pki.ca.string() + " hi");
        check_refused(r, "hostname mismatch", "localhost:" + server.port);
    }
    {
        // --server-name names what the certificate must carry: the right one is accepted.
        openssl_server server(pki.wrong_host);
        const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls --server-name wrong.example --ca " +
                                           pki.ca.string() + " hi");
        BOOST_TEST(r.status == 0, r.err);
        BOOST_TEST(r.out == "ih\n");
    }
}

BOOST_AUTO_TEST_CASE(client_refuses_expired_certificate) {
    temp_dir dir;
    const test_pki pki(dir.path);
    openssl_server server(pki.expired);
    const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls --ca " + pki.ca.string() + " hi");
    check_refused(r, "certificate has expired", "127.0.0.1:" + server.port);
}

BOOST_AUTO_TEST_CASE(insecure_connects_and_warns) {
    temp_dir dir;
    const test_pki pki(dir.path);
    openssl_server server(pki.untrusted);
    const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port + " --tls --insecure hello");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "olleh\n");
    BOOST_TEST(lines_in(r.err) == 1u, r.err);
    BOOST_TEST(r.err.find("not verified") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(client_tls_options_are_checked) {
    temp_dir dir;
    for (const auto& [args, named] : std::vector<std::pair<std::string, std::string>>{
             {"echo 127.0.0.1 1 --ca x hi", "--ca needs --tls"},
             {"echo 127.0.0.1 1 --insecure hi", "--insecure needs --tls"},
             {"echo 127.0.0.1 1 --tls --insecure --ca x hi", "--insecure and --ca"},
             {"echo 127.0.0.1 1 --tls --cert x hi", "--cert and --key"},
             {"chat 127.0.0.1 1 --name a --server-name x", "--server-name needs --tls"},
             {"exec 127.0.0.1 1 --key x true", "--key needs --tls"},
             {"get 127.0.0.1 1 f --ca x", "--ca needs --tls"},
             {"put 127.0.0.1 1 f --insecure", "--insecure needs --tls"}}) {
        const auto r = netkit_run(dir, args);
        BOOST_TEST(r.status == 2, args);
        BOOST_TEST(r.err.find(named) != std::string::npos, r.err);
    }
    const auto r = netkit_run(dir, "echo 127.0.0.1 1 --tls --ca /nonexistent/ca.pem hi");
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.err.find("/nonexistent/ca.pem") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
