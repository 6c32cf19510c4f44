// Running netkit as a service: log records safe for terminals and journald, --config files,
// readiness and reload notices to systemd (through a fake NOTIFY_SOCKET), SIGHUP.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <netkit/asio.hpp>
#include <netkit/log.hpp>

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <regex>
#include <sstream>

using namespace netkit;
using netkit::test::child_process;

namespace {

const std::string exe = NETKIT_EXE;
using datagram = asio::local::datagram_protocol;

tcp::endpoint loopback(unsigned short port) { return {asio::ip::make_address("127.0.0.1"), port}; }

// What systemd would do for Type=notify: a datagram socket whose path is in NOTIFY_SOCKET.
struct fake_notify_socket {
    test::temp_dir dir{"netkit-notify"};
    asio::io_context io;
    datagram::socket socket{io};
    std::string path = (dir.path / "notify").string();

    fake_notify_socket() {
        socket.open();
        socket.bind(datagram::endpoint(path));
    }

    // The next notice, or "" when none came within `timeout`.
    std::string next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::string buffer(4096, '\0'), result;
        socket.async_receive(asio::buffer(buffer), [&](boost::system::error_code ec, std::size_t n) {
            if (!ec) result = buffer.substr(0, n);
        });
        io.restart();
        io.run_for(timeout);
        if (!io.stopped()) {
            socket.cancel();
            io.restart();
            io.run();
        }
        return result;
    }
};

// Runs `argv` with standard error joined to standard output and `env` (NAME=value words) added.
std::vector<std::string> joined(const std::vector<std::string>& env, std::vector<std::string> argv) {
    std::vector<std::string> words{"/bin/sh", "-c", "exec 2>&1; exec /usr/bin/env \"$@\"", "sh"};
    words.insert(words.end(), env.begin(), env.end());
    words.insert(words.end(), argv.begin(), argv.end());
    return words;
}

bool accepts(unsigned short port) {
    asio::io_context io;
    tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(loopback(port), ec);
    return !ec;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ops)

BOOST_AUTO_TEST_CASE(log_escapes_del_c1_controls_and_bidi_overrides) {
    std::ostringstream out;
    logger log(log_level::info, &out, {.format = log_format::text, .timestamps = false});
    // DEL, U+0085 (NEL, a C1 control), U+009B (CSI), U+202E (right-to-left override), U+2066,
    // a lone continuation byte and a truncated sequence; é and U+1F600 are printable and stay.
    log.info("a\x7f" "b\xc2\x85" "c\xc2\x9b" "d\xe2\x80\xae" "e\xe2\x81\xa6" "f\x80" "g\xe2\x80");
    log.info("caf\xc3\xa9 \xf0\x9f\x98\x80 tab\there");
    BOOST_TEST(out.str() == "INFO a?b?c?d?e?f?g??\nINFO caf\xc3\xa9 \xf0\x9f\x98\x80 tab?here\n");
}

BOOST_AUTO_TEST_CASE(json_records_are_one_object_per_line) {
    std::ostringstream out;
    logger log(log_level::info, &out, {.format = log_format::json, .timestamps = false});
    log.warn("name \"x\\y\"\nnext");
    BOOST_TEST(out.str() == "{\"level\":\"WARN\",\"message\":\"name \\\"x\\\\y\\\"?next\"}\n");

    std::ostringstream stamped;
    logger with_time(log_level::info, &stamped, {.format = log_format::json, .timestamps = true});
    with_time.info("hi");
    BOOST_TEST(stamped.str().rfind("{\"time\":\"20", 0) == 0);
    BOOST_TEST(stamped.str().find("\",\"level\":\"INFO\",\"message\":\"hi\"}\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(log_level_changes_while_running) {
    std::ostringstream out;
    logger log(log_level::error, &out);
    log.info("hidden");
    log.set_threshold(log_level::info);
    log.info("shown");
    BOOST_TEST(out.str().find("hidden") == std::string::npos);
    BOOST_TEST(out.str().find("INFO shown") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(config_file_fills_in_and_command_line_wins) {
    test::temp_dir dir;
    const auto file = (dir.path / "echo.conf").string();
    // The file asks for a port that is not free (taken by `held`); the command line's 0 wins.
    asio::io_context io;
    tcp::acceptor held(io, loopback(0));
    test::write_file(file, "port = " + std::to_string(held.local_endpoint().port()) +
                               "   # taken\n\nthreads = 1\nbind=127.0.0.1\n");
    child_process server({exe, "serve", "echo", "--config", file, "--port", "0"});
    const auto port = server.wait_listening();
    BOOST_TEST(port != held.local_endpoint().port());
    BOOST_TEST(accepts(port));
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);

    // Without the command-line port, the file's (taken) port is used and the bind fails: exit 1.
    child_process from_file({exe, "serve", "echo", "--config", file});
    BOOST_TEST(from_file.read_all().find("listening") == std::string::npos);
    BOOST_TEST(from_file.wait().value_or(-1) == 1);
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_file_and_line_and_exit_2) {
    test::temp_dir dir;
    const auto file = (dir.path / "bad.conf").string();
    const auto run = [&](const std::string& content) {
        test::write_file(file, content);
        child_process p(joined({}, {exe, "serve", "echo", "--config", file, "--port", "0"}));
        const auto out = p.read_all();
        return std::pair{p.wait().value_or(-1), out};
    };
    for (const auto& [content, expected] : std::vector<std::pair<std::string, std::string>>{
             {"# fine\nthreads = 1\nprot = 7\n", ":3: unknown option 'prot'"},
             {"threads = 1\n\nmax-per-address = lots\n", ":3: --max-per-address must be a whole number"},
             {"threads = 1\n\nthreads = 2\n", ":3: option 'threads' cannot be specified more than once"},
             {"max-connections = 0\n", ":1: --max-connections must be a whole number"},
             {"bind = localhost\n", ":1: --bind must be an IPv4 or IPv6 address"},
             {"log-level = loud\n", ":1: --log-level must be"},
             {"log-format = xml\n", ":1: --log-format must be text or json"},
             {"grace = -1\n", ":1: --grace must be"},
             {"\n\njust words\n", ":3: expected 'name = value'"},
             {"config = other.conf\n", ":1: unknown option 'config'"}}) {
        const auto [status, out] = run(content);
        BOOST_TEST(status == 2, content);
        BOOST_TEST(out.find(file + expected) != std::string::npos, content << " -> " << out);
    }
    // A bad value on the command line still names the option, not the file.
    test::write_file(file, "threads = 1\n");
    child_process p(joined({}, {exe, "serve", "echo", "--config", file, "--threads", "x"}));
    const auto out = p.read_all();
    BOOST_TEST(p.wait().value_or(-1) == 2);
    BOOST_TEST(out.find("--threads must be a whole number") != std::string::npos);
    BOOST_TEST(out.find(file + ":") == std::string::npos);

    child_process missing(joined({}, {exe, "serve", "echo", "--config", file + ".nope"}));
    BOOST_TEST(missing.read_all().find("cannot read config file " + file + ".nope") != std::string::npos);
    BOOST_TEST(missing.wait().value_or(-1) == 2);
}

BOOST_AUTO_TEST_CASE(ready_is_sent_after_every_listener_accepts_and_stopping_at_the_end) {
    fake_notify_socket notify;
    child_process server(joined({"NOTIFY_SOCKET=" + notify.path},
                                {exe, "serve", "chat", "--header-port", "0", "--line-port", "0"}));
    BOOST_TEST(notify.next() == "READY=1");
    // By then both listening lines were printed and both ports accept connections.
    std::vector<unsigned short> ports;
    for (int i = 0; i < 2; ++i) {
        for (auto line = server.read_line(); line; line = server.read_line())
            if (line->rfind("listening on", 0) == 0) {
                ports.push_back(test::port_of(*line));
                break;
            }
    }
    BOOST_REQUIRE(ports.size() == 2u);
    for (auto port : ports) BOOST_TEST(accepts(port));
    server.signal(SIGTERM);
    BOOST_TEST(notify.next() == "STOPPING=1");
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(sighup_reloads_the_log_level_from_the_config_file) {
    test::temp_dir dir;
    const auto file = (dir.path / "echo.conf").string();
    test::write_file(file, "log-level = error\n");
    fake_notify_socket notify;
    child_process server(joined({"NOTIFY_SOCKET=" + notify.path},
                                {exe, "serve", "echo", "--config", file, "--port", "0"}));
    BOOST_TEST(notify.next() == "READY=1");
    test::write_file(file, "log-level = warn\n");
    server.signal(SIGHUP);
    BOOST_TEST(notify.next().rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
    BOOST_TEST(notify.next() == "READY=1");
    // A bad file keeps the old level and says why; the service carries on.
    test::write_file(file, "log-level = loud\n");
    server.signal(SIGHUP);
    BOOST_TEST(notify.next().rfind("RELOADING=1", 0) == 0);
    BOOST_TEST(notify.next() == "READY=1");
    server.signal(SIGTERM);
    BOOST_TEST(notify.next() == "STOPPING=1");
    const auto out = server.read_all();
    BOOST_TEST(server.wait().value_or(-1) == 0);
    BOOST_TEST(out.find("WARN log level warn (from " + file + ")") != std::string::npos, out);
    BOOST_TEST(out.find("ERROR reload failed, keeping the old settings: --log-level must be") != std::string::npos, out);
    BOOST_TEST(out.find("INFO") == std::string::npos, out);  // still warn: info records stay hidden
}

BOOST_AUTO_TEST_CASE(sighup_keeps_a_log_level_given_on_the_command_line) {
    test::temp_dir dir;
    const auto file = (dir.path / "echo.conf").string();
    test::write_file(file, "log-level = warn\n");
    fake_notify_socket notify;
    child_process server(joined({"NOTIFY_SOCKET=" + notify.path},
                                {exe, "serve", "echo", "--config", file, "--port", "0", "--log-level", "error"}));
    BOOST_TEST(notify.next() == "READY=1");
    test::write_file(file, "log-level = debug\n");
    server.signal(SIGHUP);
    BOOST_TEST(notify.next().rfind("RELOADING=1", 0) == 0);
    BOOST_TEST(notify.next() == "READY=1");
    server.signal(SIGTERM);
    const auto out = server.read_all();
    BOOST_TEST(server.wait().value_or(-1) == 0);
    BOOST_TEST(out.find("log level") == std::string::npos, out);
    BOOST_TEST(out.find("DEBUG") == std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(json_logs_without_timestamps_when_stderr_is_the_journal) {
    // JOURNAL_STREAM names stderr's device and inode, as systemd sets it for journald.
    child_process server({"/bin/sh", "-c",
                          "exec 2>&1; JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\"",
                          exe, "serve", "echo", "--port", "0", "--log-format", "json"});
    server.wait_listening();
    server.signal(SIGTERM);
    const auto out = server.read_all();
    BOOST_TEST(server.wait().value_or(-1) == 0);
    BOOST_TEST(out.find("{\"level\":\"INFO\",\"message\":\"signal 15 received: shutting down\"}\n") != std::string::npos, out);
    BOOST_TEST(out.find("\"time\"") == std::string::npos, out);

    child_process plain(joined({}, {exe, "serve", "echo", "--port", "0", "--log-format", "json"}));
    plain.wait_listening();
    plain.signal(SIGTERM);
    const auto stamped = plain.read_all();
    BOOST_TEST(plain.wait().value_or(-1) == 0);
    BOOST_TEST(stamped.find("{\"time\":\"") != std::string::npos, stamped);
}

BOOST_AUTO_TEST_CASE(example_configs_cover_every_option_and_are_accepted) {
    const std::string dir = std::string(NETKIT_SOURCE_DIR) + "/packaging/";
    for (const std::string service : {"chat", "files", "exec"}) {
        const std::string file = dir + service + ".conf";
        const std::string text = test::read_file(file);
        child_process help({exe, "serve", service, "--help"});
        const std::string options = help.read_all();
        BOOST_TEST(help.wait().value_or(-1) == 0);
        std::smatch m;
        int seen = 0;
        for (auto it = options.cbegin(); std::regex_search(it, options.cend(), m, std::regex(R"(\n  (?:-\w \[ )?--([a-z-]+))"));
             it = m[0].second) {
            const std::string name = m[1];
            if (name == "help" || name == "version" || name == "config") continue;
            ++seen;
            BOOST_TEST(std::regex_search(text, std::regex("\n#?" + name + " = ")), file << " lacks " << name);
        }
        BOOST_TEST(seen > 8);
    }
    // Each file as shipped, every commented default switched on, is a valid configuration.
    test::temp_dir tmp;
    for (const std::string service : {"chat", "files", "exec"}) {
        std::string text = test::read_file(dir + service + ".conf"), active;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("#", 0) == 0 && line.find(" = ") != std::string::npos && line.find(' ') > 1)
                line.erase(0, 1);
            // Only what a test may do: loopback, any free port, a scratch directory, no Redis, no
            // certificate files (TLS itself: suite tls_cli).
            if (line.rfind("bus", 0) == 0 || line.rfind("token-file", 0) == 0 || line.rfind("allow-shell", 0) == 0 ||
                line.rfind("tls-", 0) == 0)
                continue;
            if (line.find("port = ") != std::string::npos) line = line.substr(0, line.find('=')) + "= 0";
            if (line.rfind("dir = ", 0) == 0 || line.rfind("workdir = ", 0) == 0)
                line = line.substr(0, line.find('=')) + "= " + tmp.path.string();
            active += line + "\n";
        }
        const auto file = (tmp.path / (service + ".conf")).string();
        test::write_file(file, active);
        child_process server(joined({}, {exe, "serve", service, "--config", file}));
        std::string listening;
        for (auto line = server.read_line(); line; line = server.read_line())
            if (line->rfind("listening on", 0) == 0 || line->find("error") != std::string::npos ||
                line->find("Try") != std::string::npos) {
                listening = *line;
                break;
            }
        BOOST_TEST(listening.rfind("listening on", 0) == 0, service << ": " << listening);
        server.signal(SIGTERM);
        BOOST_TEST(server.wait().value_or(-1) == 0, service);
    }
}

BOOST_AUTO_TEST_SUITE_END()
