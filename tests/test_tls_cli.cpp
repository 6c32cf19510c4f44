// TLS from the command line: the `netkit` clients with --tls against `openssl s_server` (so the
// client side is checked against an independent implementation), and the TLS options of the serve
// commands with the netkit clients, openssl s_client and the lesson 003 Python client.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdint>
#include <filesystem>
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

// `netkit serve SERVICE --port 0 ... --tls-cert --tls-key` with its log joined to stdout (so the
// test can wait for the reload lines), stopped with SIGTERM at the end.
struct tls_service {
    child_process process;
    std::vector<std::string> listening;  // the "listening on" lines, in order
    tls_service(const std::string& arguments, const cert_pair& pair, std::size_t listeners = 1)
        : process({"/bin/sh", "-c", "exec " + exe + " serve " + arguments + " --threads 2 --tls-cert " +
                                        pair.cert.string() + " --tls-key " + pair.key.string() + " 2>&1"}) {
        while (listening.size() < listeners) {
            const auto line = process.read_line(std::chrono::seconds(20));
            if (!line) throw std::runtime_error("the server did not start");
            if (line->starts_with("listening on ")) listening.push_back(*line);
        }
    }
    std::string port(std::size_t i = 0) const { return std::to_string(netkit::test::port_of(listening.at(i))); }
    // The port of the listener whose line names `label`, e.g. "(line)".
    std::string port(const std::string& label) const {
        for (const auto& l : listening)
            if (l.find(label) != std::string::npos) return std::to_string(netkit::test::port_of(l));
        throw std::runtime_error("no listener " + label);
    }
    // Reads the log until a line holding `text` (false if none within the timeout).
    bool logged(const std::string& text) {
        while (auto line = process.read_line(std::chrono::seconds(10)))
            if (line->find(text) != std::string::npos) return true;
        return false;
    }
    ~tls_service() {
        process.signal(SIGTERM);
        process.wait();
    }
};

// `openssl s_client` to 127.0.0.1:PORT trusting `ca`: what it prints (stdout and stderr) after
// sending `input`. -brief names the peer certificate and the verification result.
std::string s_client(const std::string& port, const std::filesystem::path& ca, const std::string& input,
                     const std::string& extra = "") {
    child_process p({"/bin/sh", "-c", "exec /usr/bin/openssl s_client -brief -connect 127.0.0.1:" + port +
                                          " -CAfile " + ca.string() + " " + extra + " 2>&1"});
    if (!input.empty()) p.write_stdin(input);
    p.close_stdin();
    const std::string out = p.read_all(std::chrono::seconds(10));
    p.wait(std::chrono::seconds(10));
    return out;
}

std::string random_bytes(std::size_t size) {
    std::string bytes(size, '\0');
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (auto& c : bytes) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        c = static_cast<char>(x);
    }
    return bytes;
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

BOOST_AUTO_TEST_CASE(serve_echo_over_tls) {
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("echo --port 0", pki.server);
    const std::string ca = " --tls --ca " + pki.ca.string();
    auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port() + ca + " hello over tls");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "hello over tls\n");
    // A megabyte through the client's one-thread poll loop, both directions at once.
    const std::string big = random_bytes(1 << 20);
    netkit::test::write_file(dir.path / "big.bin", big);
    const auto echoed = dir.path / "echoed.bin";
    r = netkit_run(dir, "echo localhost " + server.port() + ca + " < " + (dir.path / "big.bin").string() + " > " +
                            echoed.string());
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST((netkit::test::read_file(echoed) == big));
    // The verification is the client's: another CA is refused in one line.
    r = netkit_run(dir, "echo 127.0.0.1 " + server.port() + " --tls --ca " + pki.other_ca.string() + " hi");
    check_refused(r, "unable to get local issuer certificate", "127.0.0.1:" + server.port());
}

BOOST_AUTO_TEST_CASE(serve_date_tcp_over_tls) {
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("date --tcp --port 0", pki.server);
    // -ign_eof: s_client reads until the server closes (without it, the end of its empty input may
    // end it before the date line arrives).
    const std::string out = s_client(server.port(), pki.ca, "", "-ign_eof");
    BOOST_TEST(out.find("Verification: OK") != std::string::npos, out);
    const std::string year = " 20";  // `date` prints the year last: "Thu Dec  3 08:40:00 UTC 2026"
    BOOST_TEST(out.find(year) != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(serve_exec_over_tls) {
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("exec --port 0", pki.server);
    const auto r = netkit_run(dir, "exec 127.0.0.1 " + server.port() + " --tls --ca " + pki.ca.string() + " echo secret words");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "secret words\n");
}

BOOST_AUTO_TEST_CASE(serve_files_over_tls) {
    temp_dir dir;
    const test_pki pki(dir.path);
    const auto store = dir.path / "store";
    tls_service server("files --port 0 --dir " + store.string(), pki.server);
    const std::string content = random_bytes(3 << 20);
    netkit::test::write_file(dir.path / "data.bin", content);
    const std::string tls = " --tls --ca " + pki.ca.string();
    auto r = netkit_run(dir, "put 127.0.0.1 " + server.port() + " " + (dir.path / "data.bin").string() + tls);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST((netkit::test::read_file(store / "data.bin") == content));
    r = netkit_run(dir, "get 127.0.0.1 " + server.port() + " data.bin -o " + (dir.path / "back.bin").string() + tls);
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST((netkit::test::read_file(dir.path / "back.bin") == content));
}

BOOST_AUTO_TEST_CASE(serve_chat_over_tls_with_netkit_openssl_and_lesson_client) {
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("chat --header-port 0 --line-port 0", pki.server, 2);
    const std::string line_port = server.port("(line)"), header_port = server.port("(header)");
    // The lesson 003 Python client, through Python's ssl module, on the header port.
    child_process ana({"/usr/bin/env", "python3", std::string(NETKIT_SOURCE_DIR) + "/tests/python/lesson003_tls_client.py",
                       pki.ca.string(), "127.0.0.1", header_port, "ana"});
    BOOST_TEST_REQUIRE(ana.read_line(std::chrono::seconds(20)).value_or("") == "server > ana joined the chat");
    // netkit chat --tls on the line port.
    child_process carl({exe, "chat", "127.0.0.1", line_port, "--name", "carl", "--tls", "--ca", pki.ca.string()});
    BOOST_TEST(ana.read_line().value_or("") == "server > carl joined the chat");
    carl.write_stdin("hello from carl\n");
    BOOST_TEST(ana.read_line().value_or("") == "carl > hello from carl");
    ana.write_stdin("hi carl\n");
    bool seen = false;
    while (auto l = carl.read_line(std::chrono::seconds(10)))
        if ((seen = *l == "ana: hi carl")) break;
    BOOST_TEST(seen);
    // openssl s_client on the line port: it gets the name prompt, joins, talks, leaves.
    const std::string out = s_client(line_port, pki.ca, "olga\nciao a tutti\n{quit}\n", "-quiet");
    BOOST_TEST(ana.read_line().value_or("") == "server > olga joined the chat");
    BOOST_TEST(ana.read_line().value_or("") == "olga > ciao a tutti");
    BOOST_TEST(out.find("Verification: OK") != std::string::npos, out);
    BOOST_TEST(out.find("Welcome olga!") != std::string::npos, out);
    carl.close_stdin();
    BOOST_TEST(carl.wait().value_or(-1) == 0);
    ana.close_stdin();
    BOOST_TEST(ana.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(serve_refuses_bad_certificates_before_listening) {
    temp_dir dir;
    const test_pki pki(dir.path);
    const std::string missing = (dir.path / "missing.pem").string();
    for (const auto& [args, named] : std::vector<std::pair<std::string, std::string>>{
             {"--tls-cert " + pki.expired.cert.string() + " --tls-key " + pki.expired.key.string(), pki.expired.cert.string()},
             {"--tls-cert " + pki.server.cert.string() + " --tls-key " + pki.renewed.key.string(), "--tls-"},
             {"--tls-cert " + missing + " --tls-key " + pki.server.key.string(), missing},
             {"--tls-cert " + pki.server.cert.string(), "--tls-key"},
             {"--tls-key " + pki.server.key.string(), "--tls-cert"},
             {"--tls-client-ca " + pki.ca.string(), "--tls-client-ca"}}) {
        for (const std::string& service : std::vector<std::string>{"echo --port 0", "chat --header-port 0 --line-port 0",
                                          "files --port 0 --dir " + dir.path.string(), "exec --port 0", "date --tcp --port 0"}) {
            const auto r = netkit_run(dir, "serve " + service + " " + args);
            BOOST_TEST(r.status == 2, service << " " << args);
            BOOST_TEST(r.err.find(named) != std::string::npos, r.err);
            BOOST_TEST(r.out.find("listening on") == std::string::npos, r.out);
        }
    }
}

BOOST_AUTO_TEST_CASE(sighup_reloads_renewed_pair_and_keeps_it_on_a_broken_one) {
    temp_dir dir;
    const test_pki pki(dir.path);
    const cert_pair live{dir.path / "fullchain.pem", dir.path / "privkey.pem"};
    std::filesystem::copy_file(pki.server.cert, live.cert);
    std::filesystem::copy_file(pki.server.key, live.key);
    tls_service server("echo --port 0", live);
    std::string out = s_client(server.port(), pki.ca, "");
    BOOST_TEST(out.find("Verification: OK") != std::string::npos, out);
    BOOST_TEST(out.find("CN = localhost renewed") == std::string::npos, out);
    BOOST_TEST(out.find("CN = localhost") != std::string::npos, out);

    const auto overwrite = [](const std::filesystem::path& from, const std::filesystem::path& to) {
        std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
    };
    overwrite(pki.renewed.cert, live.cert);
    overwrite(pki.renewed.key, live.key);
    server.process.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.logged("reloaded TLS certificate (CN=localhost renewed)"));
    out = s_client(server.port(), pki.ca, "");
    BOOST_TEST(out.find("CN = localhost renewed") != std::string::npos, out);

    // A renewal gone wrong (the key of another certificate): logged, the renewed pair stays.
    overwrite(pki.server.cert, live.cert);
    server.process.signal(SIGHUP);
    BOOST_TEST(server.logged("not reloaded"));
    out = s_client(server.port(), pki.ca, "");
    BOOST_TEST(out.find("CN = localhost renewed") != std::string::npos, out);
    const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port() + " --tls --ca " + pki.ca.string() + " still here");
    BOOST_TEST(r.out == "still here\n", r.err);
}

BOOST_AUTO_TEST_CASE(sighup_reaches_every_echo_worker) {
    // With --workers the parent gets the signal: it must pass it on, not die of it (SIGHUP's
    // default action) and leave its workers behind.
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("echo --port 0 --workers 2", pki.server);
    server.process.signal(SIGHUP);
    BOOST_TEST(server.logged("reloaded TLS certificate"));
    BOOST_TEST(server.logged("reloaded TLS certificate"));  // the second worker's
    const auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port() + " --tls --ca " + pki.ca.string() + " still here");
    BOOST_TEST(r.out == "still here\n", r.err);
    server.process.signal(SIGTERM);
    BOOST_TEST(server.process.wait().value_or(-1) == 0);  // the parent, alive until its workers ended
}

BOOST_AUTO_TEST_CASE(exec_on_a_public_address_needs_tls_or_allow_plaintext) {
    temp_dir dir;
    netkit::test::write_file(dir.path / "token", "a-long-enough-token-for-the-test\n");
    const std::string token = " --token-file " + (dir.path / "token").string();
    auto r = netkit_run(dir, "serve exec --bind 0.0.0.0 --port 0" + token);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("without TLS") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("--allow-plaintext") != std::string::npos, r.err);
    BOOST_TEST(r.out.find("listening on") == std::string::npos);
    r = netkit_run(dir, "serve exec --help");
    BOOST_TEST(r.out.find("--allow-plaintext") != std::string::npos);
    BOOST_TEST(r.out.find("--tls-cert") != std::string::npos);

    child_process plain({exe, "serve", "exec", "--bind", "0.0.0.0", "--port", "0", "--token-file",
                         (dir.path / "token").string(), "--allow-plaintext"});
    BOOST_TEST(plain.wait_listening() > 0);
    plain.signal(SIGTERM);
    BOOST_TEST(plain.wait().value_or(-1) == 0);

    const test_pki pki(dir.path);
    tls_service with_tls("exec --bind 0.0.0.0 --port 0" + token, pki.server);
    r = netkit_run(dir, "exec 127.0.0.1 " + with_tls.port() + " --tls --ca " + pki.ca.string() + token + " echo ok");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "ok\n");
}

BOOST_AUTO_TEST_CASE(mutual_tls_needs_the_client_certificate) {
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("echo --port 0 --tls-client-ca " + pki.ca.string(), pki.server);
    const std::string tls = " --tls --ca " + pki.ca.string();
    auto r = netkit_run(dir, "echo 127.0.0.1 " + server.port() + tls + " --cert " + pki.client.cert.string() +
                                 " --key " + pki.client.key.string() + " known client");
    BOOST_TEST(r.status == 0, r.err);
    BOOST_TEST(r.out == "known client\n");
    for (const std::string& who : std::vector<std::string>{"", " --cert " + pki.stranger.cert.string() + " --key " + pki.stranger.key.string()}) {
        r = netkit_run(dir, "echo 127.0.0.1 " + server.port() + tls + who + " unknown client");
        BOOST_TEST(r.status == 1, who);
        BOOST_TEST(r.out.empty(), r.out);
        BOOST_TEST(lines_in(r.err) == 1u, r.err);
    }
}

BOOST_AUTO_TEST_CASE(chat_http_port_over_tls_serves_https_and_wss) {
    // The browser page's port is HTTPS and its socket WSS: the page's own origin is then https://.
    temp_dir dir;
    const test_pki pki(dir.path);
    tls_service server("chat --header-port 0 --line-port 0 --http-port 0", pki.server, 3);
    BOOST_TEST(server.listening.at(2).find("(https)") != std::string::npos, server.listening.at(2));
    child_process line_user({"/bin/sh", "-c", "exec /usr/bin/openssl s_client -quiet -connect 127.0.0.1:" +
                                                  server.port("(line)") + " -CAfile " + pki.ca.string() + " 2>/dev/null"});
    BOOST_TEST_REQUIRE(line_user.read_line(std::chrono::seconds(20)).value_or("").find("name") != std::string::npos);
    line_user.write_stdin("lina\n");
    BOOST_TEST_REQUIRE(line_user.read_line().value_or("").starts_with("Welcome lina!"));
    BOOST_TEST_REQUIRE(line_user.read_line().value_or("") == "lina joined the chat");
    child_process browser({"/usr/bin/python3", std::string(NETKIT_SOURCE_DIR) + "/tests/python/wss_chat_client.py",
                           pki.ca.string(), "localhost", server.port("(https)"), "wanda", "over wss"});
    BOOST_TEST(browser.read_line(std::chrono::seconds(20)).value_or("") == "HTTP/1.1 200 OK");
    BOOST_TEST(browser.read_line().value_or("") == "HTTP/1.1 101 Switching Protocols");
    BOOST_TEST(browser.read_line().value_or("").find(R"("type": "welcome")") != std::string::npos);
    BOOST_TEST(line_user.read_line().value_or("") == "wanda joined the chat");
    BOOST_TEST(line_user.read_line().value_or("") == "wanda: over wss");
    BOOST_TEST(browser.wait(std::chrono::seconds(20)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
