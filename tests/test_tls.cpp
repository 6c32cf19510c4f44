// TLS in the core: every service over a TLS stream, checked with an independent client (Boost.Asio's
// ssl::stream, verifying against the test CA and the host name), the handshake's limits (timeout,
// connection slots, a plain-text client), mutual TLS, server_context's checks and reload.
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <netkit/chat/bus.hpp>
#include <netkit/chat/chat_session.hpp>
#include <netkit/chat/hub.hpp>
#include <netkit/chat/protocols.hpp>
#include <netkit/date/date_service.hpp>
#include <netkit/echo/echo_session.hpp>
#include <netkit/exec/exec_service.hpp>
#include <netkit/exec/exec_session.hpp>
#include <netkit/exec/response_header.hpp>
#include <netkit/files/files_service.hpp>
#include <netkit/files/files_session.hpp>
#include <netkit/files/sha256.hpp>
#include <netkit/log.hpp>
#include <netkit/server_host.hpp>
#include <netkit/tls/server_context.hpp>

#include <boost/asio/ssl.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <streambuf>
#include <thread>

using namespace netkit;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace ssl = asio::ssl;

namespace {

// Log records, readable while server threads write them (the logger writes under its own lock;
// this buffer takes another so that the test thread may read at any time).
class log_sink : public std::streambuf {
public:
    std::string text() const {
        std::lock_guard lock(mutex_);
        return text_;
    }
    std::size_t count(const std::string& needle) const {
        const std::string all = text();
        std::size_t n = 0;
        for (auto at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1)) ++n;
        return n;
    }

protected:
    int overflow(int c) override {
        if (c != traits_type::eof()) {
            std::lock_guard lock(mutex_);
            text_ += static_cast<char>(c);
        }
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::lock_guard lock(mutex_);
        text_.append(s, static_cast<std::size_t>(n));
        return n;
    }

private:
    mutable std::mutex mutex_;
    std::string text_;
};

// The test PKI, made once for the whole suite (EC keys: a few milliseconds).
struct pki_dir {
    test::temp_dir dir{"netkit-tls"};
    test::test_pki pki{dir.path};
};
const test::test_pki& pki() {
    static pki_dir made;
    return made.pki;
}

tls::server_files server_pair(const test::cert_pair& pair, std::string client_ca = {}) {
    return {pair.cert.string(), pair.key.string(), std::move(client_ca)};
}

// A server_host with TLS listeners on background threads, logging into a sink.
struct tls_host {
    log_sink sink;
    std::ostream log_stream{&sink};
    logger log{log_level::info, &log_stream};
    std::optional<server_host> host;
    std::jthread runner;

    tls_host() { host.emplace(log); }
    ~tls_host() { stop(); }
    tcp_server& add(tcp_server::session_factory make, std::shared_ptr<netkit::tls::server_context> tls,
                    tcp_server_options options = {}) {
        options.tls = std::move(tls);
        return host->add_tcp(std::move(options), std::move(make));
    }
    void start(unsigned threads = 2) {
        runner = std::jthread([this, threads] {
            std::ostringstream announce;
            host->run(threads, 2000ms, announce);
        });
    }
    void stop() {
        if (host) host->shutdown();
        if (runner.joinable()) runner.join();
    }
};

std::shared_ptr<netkit::tls::server_context> server_tls(std::string client_ca = {}) {
    return std::make_shared<netkit::tls::server_context>(server_pair(pki().server, std::move(client_ca)));
}

// A blocking TLS client that trusts the test CA and checks the name "localhost".
struct tls_client {
    asio::io_context io;
    ssl::context context{ssl::context::tls_client};
    std::optional<ssl::stream<tcp::socket>> s;
    std::string pending;

    explicit tls_client(std::uint16_t port, const test::cert_pair* client_cert = nullptr) {
        context.load_verify_file(pki().ca.string());
        context.set_verify_mode(ssl::verify_peer);
        if (client_cert) {
            context.use_certificate_chain_file(client_cert->cert.string());
            context.use_private_key_file(client_cert->key.string(), ssl::context::pem);
        }
        s.emplace(io, context);
        SSL_set_tlsext_host_name(s->native_handle(), "localhost");
        SSL_set1_host(s->native_handle(), "localhost");
        s->next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    }
    boost::system::error_code handshake() {
        boost::system::error_code ec;
        s->handshake(ssl::stream_base::client, ec);
        return ec;
    }
    void send(const std::string& bytes) { asio::write(*s, asio::buffer(bytes)); }
    // A line without "\n"; nullopt at the end of the stream or on an error.
    std::optional<std::string> line() {
        boost::system::error_code ec;
        const std::size_t n = asio::read_until(*s, asio::dynamic_buffer(pending), '\n', ec);
        if (ec) return std::nullopt;
        std::string l = pending.substr(0, n - 1);
        pending.erase(0, n);
        return l;
    }
    std::string read_exactly(std::size_t n) {
        if (pending.size() < n) {
            const std::size_t had = pending.size();
            pending.resize(n);
            asio::read(*s, asio::buffer(pending.data() + had, n - had));
        }
        std::string out = pending.substr(0, n);
        pending.erase(0, n);
        return out;
    }
    // Everything until the end of the stream; `ec` says how it ended.
    std::string rest(boost::system::error_code& ec) {
        std::string got = std::move(pending);
        asio::read(*s, asio::dynamic_buffer(got), ec);
        return got;
    }
    std::string server_subject() {
        X509* cert = SSL_get1_peer_certificate(s->native_handle());
        if (!cert) return {};
        char text[256];
        X509_NAME_oneline(X509_get_subject_name(cert), text, sizeof text);
        X509_free(cert);
        return text;
    }
};

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(gen());
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(echo_over_tls_returns_a_large_stream_then_close_notify) {
    tls_host h;
    const auto port = h.add(echo::echo_session_factory(), server_tls()).local_endpoint().port();
    h.start();
    tls_client c(port);
    BOOST_TEST_REQUIRE(!c.handshake());
    // One thread per TLS connection (an ssl::stream is not thread-safe): 64 KiB out, 64 KiB back.
    const std::string sent = random_bytes(1024 * 1024, 7);
    std::string back;
    for (std::size_t at = 0; at < sent.size(); at += 64 * 1024) {
        c.send(sent.substr(at, 64 * 1024));
        back += c.read_exactly(64 * 1024);
    }
    BOOST_TEST((back == sent));
    c.send("last");
    BOOST_TEST(c.read_exactly(4) == "last");
    // A TLS close from the client: the server answers with its own close_notify (a clean eof here,
    // not a truncated stream).
    boost::system::error_code ec;
    c.s->shutdown(ec);
    BOOST_TEST((!ec || ec == asio::error::eof), ec.message());
}

BOOST_AUTO_TEST_CASE(date_over_tls_sends_one_line_and_closes) {
    tls_host h;
    const auto port = h.add(date::date_session_factory(), server_tls()).local_endpoint().port();
    h.start();
    tls_client c(port);
    BOOST_TEST_REQUIRE(!c.handshake());
    const auto line = c.line();
    BOOST_TEST_REQUIRE(line.has_value());
    BOOST_TEST(line->find(std::to_string(1900 + [] {
                   const auto t = std::time(nullptr);
                   std::tm tm{};
                   localtime_r(&t, &tm);
                   return tm.tm_year;
               }())) != std::string::npos,
               *line);
    boost::system::error_code ec;
    const std::string rest = c.rest(ec);
    BOOST_TEST(rest.empty());
    BOOST_TEST(ec == asio::error::eof, ec.message());  // close_notify: a clean end
}

// The chat's hub outlives the sessions: the host stops before the members go.
struct tls_chat {
    tls_host h;
    chat::in_process_bus bus;
    chat::hub room{h.host->io().get_executor(), bus, h.log};
    std::uint16_t port = h.add(chat::session_factory(room, {}, h.log, chat::line_protocol()), server_tls(),
                               {.label = "line"})
                             .local_endpoint()
                             .port();
    tls_chat() {
        room.start();
        h.host->on_shutdown([this] { room.stop(); });
        h.start();
    }
    ~tls_chat() { h.stop(); }
};

BOOST_AUTO_TEST_CASE(chat_line_port_over_tls_delivers_between_two_members) {
    tls_chat server;
    const auto port = server.port;
    const std::string prompt(chat::line_protocol().prompt());
    tls_client lisa(port), leo(port);
    BOOST_TEST_REQUIRE(!lisa.handshake());
    BOOST_TEST_REQUIRE(!leo.handshake());
    BOOST_TEST_REQUIRE(lisa.line().value_or("") == prompt);
    lisa.send("lisa\n");
    BOOST_TEST_REQUIRE(lisa.line().value_or("").find("Welcome lisa!") == 0u);
    BOOST_TEST_REQUIRE(leo.line().value_or("") == prompt);
    leo.send("leo\n");
    BOOST_TEST_REQUIRE(leo.line().value_or("").find("Welcome leo!") == 0u);
    // lisa sees leo arrive; then each sees the other's message.
    std::optional<std::string> seen;
    while ((seen = lisa.line()) && seen->find("leo joined the chat") == std::string::npos) {
    }
    BOOST_TEST_REQUIRE(seen.has_value());
    lisa.send("ciao a tutti\n");
    while ((seen = leo.line()) && *seen != "lisa: ciao a tutti") {
    }
    BOOST_TEST(seen.value_or("") == "lisa: ciao a tutti");
    leo.send("ciao lisa\n");
    while ((seen = lisa.line()) && *seen != "leo: ciao lisa") {
    }
    BOOST_TEST(seen.value_or("") == "leo: ciao lisa");
}

BOOST_AUTO_TEST_CASE(exec_over_tls_runs_a_command) {
    tls_host h;
    auto service = std::make_shared<exec::exec_service>(exec::exec_options{}, h.log);
    const auto port = h.add(exec::exec_session_factory(service), server_tls()).local_endpoint().port();
    h.start();
    tls_client c(port);
    BOOST_TEST_REQUIRE(!c.handshake());
    c.send("echo hello over tls\n");
    const auto header_line = c.line();
    BOOST_TEST_REQUIRE(header_line.has_value());
    const auto header = exec::parse_header(*header_line);
    BOOST_TEST_REQUIRE(header.has_value(), *header_line);
    BOOST_TEST((header->status == exec::exec_status::exit));
    BOOST_TEST(c.read_exactly(header->length) == "hello over tls\n");
}

BOOST_AUTO_TEST_CASE(files_put_and_get_of_two_mib_over_tls_without_sendfile) {
    test::temp_dir tmp("netkit-tls-files");
    logger quiet(log_level::warn);
    files::files_options options;
    options.dir = tmp.path / "store";
    options.min_free = 0;
    files::files_service service(options, quiet);
    {
        tls_host h;
        const auto port = h.add(files::files_session_factory(service), server_tls()).local_endpoint().port();
        h.start();
        const std::string content = random_bytes(2 * 1024 * 1024, 11);
        const std::string digest = files::sha256::hex_of(content);
        tls_client c(port);
        BOOST_TEST_REQUIRE(!c.handshake());
        c.send("PUT big.bin " + std::to_string(content.size()) + " sha256\n");
        BOOST_TEST_REQUIRE(c.line().value_or("") == "OK");
        c.send(content);
        BOOST_TEST_REQUIRE(c.line().value_or("") == "DONE " + digest);
        BOOST_TEST((test::read_file(options.dir / "big.bin") == content));

        c.send("GET big.bin sha256\n");
        BOOST_TEST_REQUIRE(c.line().value_or("") == "OK " + std::to_string(content.size()));
        BOOST_TEST((c.read_exactly(content.size()) == content));
        BOOST_TEST(c.line().value_or("") == "DONE " + digest);
    }
}

BOOST_AUTO_TEST_CASE(a_plain_text_client_is_closed_and_logged_once_and_tls_goes_on) {
    tls_host h;
    const auto port = h.add(echo::echo_session_factory(), server_tls()).local_endpoint().port();
    h.start();
    {
        asio::io_context io;
        tcp::socket plain(io);
        plain.connect({asio::ip::make_address("127.0.0.1"), port});
        asio::write(plain, asio::buffer(std::string("hello, plain text here\n")));
        std::string got;
        boost::system::error_code ec;
        asio::read(plain, asio::dynamic_buffer(got), ec);  // the server closes: eof or reset
        BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
        BOOST_TEST(got.find("hello") == std::string::npos);  // nothing echoed in clear
    }
    // The record is written before the connection is closed, so it is there now.
    BOOST_TEST(h.sink.count("plain-text client") == 1u, h.sink.text());
    BOOST_TEST(h.sink.count("TLS handshake with 127.0.0.1:") == 1u, h.sink.text());
    tls_client c(port);
    BOOST_TEST_REQUIRE(!c.handshake());
    c.send("still here");
    BOOST_TEST(c.read_exactly(10) == "still here");
}

BOOST_AUTO_TEST_CASE(a_silent_client_is_closed_at_the_handshake_timeout_and_frees_its_slot) {
    tls_host h;
    auto& server = h.add(echo::echo_session_factory(), server_tls(),
                         {.max_connections = 1, .handshake_timeout = 300ms});
    const auto port = server.local_endpoint().port();
    h.start();
    asio::io_context io;
    tcp::socket silent(io);
    const auto opened = std::chrono::steady_clock::now();
    silent.connect({asio::ip::make_address("127.0.0.1"), port});
    {
        // While the silent one holds the only slot, another client is turned away.
        tls_client refused(port);
        BOOST_TEST(refused.handshake());
    }
    char byte;
    boost::system::error_code ec;
    asio::read(silent, asio::buffer(&byte, 1), ec);
    const auto waited = std::chrono::steady_clock::now() - opened;
    BOOST_TEST((ec == asio::error::eof || ec == asio::error::connection_reset), ec.message());
    BOOST_TEST(waited >= 250ms);
    BOOST_TEST(waited < 5s);
    BOOST_TEST(h.sink.count("no handshake within 300 ms") == 1u, h.sink.text());
    // The slot was freed before the silent connection was closed: the next client gets in.
    tls_client next(port);
    BOOST_TEST_REQUIRE(!next.handshake());
    next.send("ok");
    BOOST_TEST(next.read_exactly(2) == "ok");
}

BOOST_AUTO_TEST_CASE(a_thousand_concurrent_handshakes_all_succeed) {
    tls_host h;
    h.log.set_threshold(log_level::warn);
    const auto port =
        h.add(echo::echo_session_factory(), server_tls(), {.max_connections = 2000, .max_per_address = 0})
            .local_endpoint()
            .port();
    h.start(2);
    constexpr int clients = 1000;
    asio::io_context io;
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(pki().ca.string());
    context.set_verify_mode(ssl::verify_peer);
    std::atomic<int> ok{0};
    std::vector<std::unique_ptr<ssl::stream<tcp::socket>>> streams;
    const tcp::endpoint server{asio::ip::make_address("127.0.0.1"), port};
    for (int i = 0; i < clients; ++i) {
        auto& s = *streams.emplace_back(std::make_unique<ssl::stream<tcp::socket>>(io, context));
        SSL_set1_host(s.native_handle(), "localhost");
        asio::co_spawn(
            io,
            [&s, &ok, server, i]() -> asio::awaitable<void> {
                co_await s.next_layer().async_connect(server, asio::use_awaitable);
                co_await s.async_handshake(ssl::stream_base::client, asio::use_awaitable);
                const std::string ping = "ping " + std::to_string(i);
                co_await asio::async_write(s, asio::buffer(ping), asio::use_awaitable);
                std::string back(ping.size(), '\0');
                co_await asio::async_read(s, asio::buffer(back), asio::use_awaitable);
                if (back == ping) ++ok;
            },
            asio::detached);
    }
    // Bounded: whatever is left after the deadline fails the test instead of hanging it.
    const auto started = std::chrono::steady_clock::now();
    io.run_for(60s);
    BOOST_TEST(ok.load() == clients);
    BOOST_TEST_MESSAGE("1000 handshakes and echoes in "
                       << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s");
}

BOOST_AUTO_TEST_CASE(mutual_tls_accepts_the_right_client_certificate_only) {
    tls_host h;
    const auto port = h.add(echo::echo_session_factory(), server_tls(pki().ca.string())).local_endpoint().port();
    h.start();
    {
        tls_client c(port, &pki().client);
        BOOST_TEST_REQUIRE(!c.handshake());
        c.send("mine");
        BOOST_TEST(c.read_exactly(4) == "mine");
    }
    // Under TLS 1.3 the client's handshake ends before the server has judged its certificate: the
    // refusal arrives as an alert at the first read.
    const auto refused = [port](const test::cert_pair* cert) {
        tls_client c(port, cert);
        boost::system::error_code ec = c.handshake();
        if (ec) return true;
        asio::write(*c.s, asio::buffer("x", 1), ec);
        char byte;
        if (!ec) asio::read(*c.s, asio::buffer(&byte, 1), ec);
        return static_cast<bool>(ec);
    };
    BOOST_TEST(refused(nullptr));
    BOOST_TEST(refused(&pki().stranger));
    h.stop();  // the alert can reach the client before the server's log record is written
    BOOST_TEST(h.sink.count("TLS handshake with") == 2u, h.sink.text());
}

BOOST_AUTO_TEST_CASE(server_context_refuses_bad_files_with_one_clear_line) {
    const auto message_of = [](netkit::tls::server_files files) -> std::string {
        try {
            netkit::tls::server_context context(std::move(files));
        } catch (const netkit::tls::config_error& e) {
            return e.what();
        }
        return "(accepted)";
    };
    BOOST_TEST(message_of(server_pair(pki().server)) == "(accepted)");
    const std::string expired = message_of(server_pair(pki().expired));
    BOOST_TEST(expired.find("--tls-cert " + pki().expired.cert.string() + ": certificate expired on ") == 0u, expired);
    const std::string mismatched = message_of({pki().server.cert.string(), pki().renewed.key.string(), {}});
    BOOST_TEST(mismatched.find("--tls-key " + pki().renewed.key.string() + ": does not match") == 0u, mismatched);
    const std::string missing = message_of({"/nonexistent/cert.pem", pki().server.key.string(), {}});
    BOOST_TEST(missing == "--tls-cert /nonexistent/cert.pem: No such file or directory");
    const std::string not_pem = message_of({pki().server.key.string(), pki().server.key.string(), {}});
    BOOST_TEST(not_pem.find("--tls-cert " + pki().server.key.string() + ": not a PEM certificate") == 0u, not_pem);
    const std::string no_ca = message_of(server_pair(pki().server, "/nonexistent/ca.pem"));
    BOOST_TEST(no_ca == "--tls-client-ca /nonexistent/ca.pem: No such file or directory");
    for (const auto& m : {expired, mismatched, missing, not_pem, no_ca}) BOOST_TEST(m.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reload_serves_the_renewed_pair_to_new_connections_and_keeps_open_ones) {
    test::temp_dir tmp("netkit-tls-reload");
    const fs::path cert = tmp.path / "cert.pem", key = tmp.path / "key.pem";
    fs::copy_file(pki().server.cert, cert);
    fs::copy_file(pki().server.key, key);
    auto context = std::make_shared<netkit::tls::server_context>(netkit::tls::server_files{cert.string(), key.string(), {}});
    tls_host h;
    const auto port = h.add(echo::echo_session_factory(), context).local_endpoint().port();
    h.start();

    tls_client before(port);
    BOOST_TEST_REQUIRE(!before.handshake());
    BOOST_TEST(before.server_subject() == "/CN=localhost");

    fs::copy_file(pki().renewed.cert, cert, fs::copy_options::overwrite_existing);
    fs::copy_file(pki().renewed.key, key, fs::copy_options::overwrite_existing);
    context->reload();
    tls_client after(port);
    BOOST_TEST_REQUIRE(!after.handshake());
    BOOST_TEST(after.server_subject() == "/CN=localhost renewed");
    before.send("still open");
    BOOST_TEST(before.read_exactly(10) == "still open");

    // A broken pair (the old key with the renewed certificate): refused, the renewed pair stays.
    fs::copy_file(pki().server.key, key, fs::copy_options::overwrite_existing);
    BOOST_CHECK_THROW(context->reload(), netkit::tls::config_error);
    tls_client third(port);
    BOOST_TEST_REQUIRE(!third.handshake());
    BOOST_TEST(third.server_subject() == "/CN=localhost renewed");
    third.send("ok");
    BOOST_TEST(third.read_exactly(2) == "ok");
}

BOOST_AUTO_TEST_SUITE_END()
