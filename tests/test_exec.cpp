// The command server in-process: injection attempts, denials, timeouts that kill a whole process
// group, output limits, concurrency limits, tokens and malformed requests.
#include "support/hosted.hpp"
#include "support/temp_dir.hpp"

#include <netkit/exec/exec_service.hpp>
#include <netkit/exec/exec_session.hpp>
#include <netkit/exec/response_header.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace netkit;
using namespace netkit::exec;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A fresh directory for one test, with helpers to list it and to put scripts in it.
struct temp_dir : test::temp_dir {
    temp_dir() : test::temp_dir("netkit-exec") {}
    std::set<std::string> entries() const {
        std::set<std::string> names;
        for (const auto& e : fs::directory_iterator(path)) names.insert(e.path().filename().string());
        return names;
    }
    // An executable shell script; returns its absolute path.
    std::string script(const std::string& name, const std::string& body) const {
        const fs::path p = path / name;
        std::ofstream(p) << "#!/bin/sh\n" << body;
        fs::permissions(p, fs::perms::owner_all);
        return p.string();
    }
};

struct server {
    test::hosted h;
    std::shared_ptr<exec_service> service;
    tcp::endpoint endpoint;
    explicit server(exec_options options) {
        service = std::make_shared<exec_service>(std::move(options), h.log());
        endpoint = h.host().add_tcp({}, exec_session_factory(service)).local_endpoint();
        h.start(2);
    }
};

struct reply {
    response_header header;
    std::string body;
};

// A raw protocol client: lines out, responses in.
struct client {
    asio::io_context io;
    tcp::socket socket{io};
    std::string pending;

    explicit client(const tcp::endpoint& ep) { socket.connect(ep); }

    void send(const std::string& line) { asio::write(socket, asio::buffer(line + "\n")); }

    // A line without "\n"; nullopt at end of stream.
    std::optional<std::string> line() {
        boost::system::error_code ec;
        const std::size_t n = asio::read_until(socket, asio::dynamic_buffer(pending), '\n', ec);
        if (ec) return std::nullopt;
        std::string l = pending.substr(0, n - 1);
        pending.erase(0, n);
        return l;
    }

    reply response() {
        const auto header_line = line();
        BOOST_TEST_REQUIRE(header_line.has_value(), "no response header");
        const auto header = parse_header(*header_line);
        BOOST_TEST_REQUIRE(header.has_value(), "not a header: " << *header_line);
        if (pending.size() < header->length) {
            const std::size_t had = pending.size();
            pending.resize(header->length);
            asio::read(socket, asio::buffer(pending.data() + had, header->length - had));
        }
        reply r{*header, pending.substr(0, header->length)};
        pending.erase(0, header->length);
        return r;
    }

    reply run(const std::string& line) {
        send(line);
        return response();
    }

    bool at_end() {
        if (!pending.empty()) return false;
        char c;
        boost::system::error_code ec;
        socket.read_some(asio::buffer(&c, 1), ec);
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }
};

// Each program may take any arguments, and commands keep the test's identity: the scripts and
// working directories these tests create are private to it (mode 0700).
exec_options options_with(std::vector<std::string> allow, const fs::path& workdir = "/") {
    exec_options o;
    o.allow.clear();
    for (auto& name : allow) o.allow.push_back(name + ":*");
    o.run.workdir = workdir.string();
    o.run_as.clear();
    return o;
}

// Polls `ready` (a readiness condition the server exposes) for up to 10 s.
template <class F>
bool eventually(F ready) {
    for (auto until = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < until;) {
        if (ready()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return ready();
}

// Dead: gone, or a zombie waiting for a reaper (which may never come inside a container).
bool process_dead(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return true;
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = content.rfind(')');
    return paren != std::string::npos && paren + 2 < content.size() && content[paren + 2] == 'Z';
}

pid_t read_pid(const fs::path& file) {
    pid_t pid = 0;
    std::ifstream(file) >> pid;
    return pid;
}

// Opens a FIFO for writing once its reader (a command) has opened it, writes `text`, closes it.
bool release_fifo(const fs::path& fifo, const std::string& text) {
    int fd = -1;
    eventually([&] { return (fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) >= 0; });
    if (fd < 0) return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exec)

BOOST_AUTO_TEST_CASE(runs_allowed_programs_one_request_after_another) {
    server s(exec_options{});
    client c(s.endpoint);
    auto r = c.run("echo hello   'big  world'");
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.header.code == 0);
    BOOST_TEST(r.body == "hello big  world\n");
    BOOST_TEST(!r.header.truncated);
    r = c.run("uname -s");
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.body == "Linux\n");
    r = c.run("date -u");
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.body.find("UTC") != std::string::npos);
    // Pipelined requests are answered in order, "\r\n" is accepted.
    c.send("echo one\r\necho two");
    BOOST_TEST(c.response().body == "one\n");
    BOOST_TEST(c.response().body == "two\n");

    server any(options_with({"date"}));
    client d(any.endpoint);
    r = d.run("date --no-such-option");  // stderr comes back in the body, with the exit status
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.header.code != 0);
    BOOST_TEST(r.body.find("no-such-option") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(commands_get_a_scrubbed_environment_and_the_workdir) {
    temp_dir dir;
    const std::string env = dir.script("env.sh", "env | sort\npwd\n");
    server s(options_with({env}, dir.path));
    client c(s.endpoint);
    const auto r = c.run(env);
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.body.find("LANG=C.UTF-8\n") != std::string::npos);
    BOOST_TEST(r.body.find("PATH=/usr/bin:/bin\n") != std::string::npos);
    BOOST_TEST(r.body.find("HOME=") == std::string::npos);
    BOOST_TEST(r.body.find(dir.path.string() + "\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(injection_attempts_have_no_side_effect) {
    temp_dir dir;
    std::ofstream(dir.path / "x") << "keep me";
    server s(options_with({"echo", "date"}, dir.path));
    client c(s.endpoint);

    auto r = c.run("date; rm -rf x");
    BOOST_TEST((r.header.status == exec_status::denied));
    r = c.run("date ; rm -rf x");  // ";" "rm" "-rf" "x" are arguments of date, which refuses them
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.header.code != 0);

    const std::pair<const char*, const char*> literal[] = {
        {"echo $(touch made1)", "$(touch made1)\n"},
        {"echo `touch made2`", "`touch made2`\n"},
        {"echo hi | touch made3", "hi | touch made3\n"},
        {"echo hi > made4", "hi > made4\n"},
        {"echo a && touch made5 || touch made6 & touch made7", "a && touch made5 || touch made6 & touch made7\n"},
        {"echo \"$(touch made8)\" $HOME ~ *", "$(touch made8) $HOME ~ *\n"},
    };
    for (const auto& [line, body] : literal) {
        r = c.run(line);
        BOOST_TEST((r.header.status == exec_status::exit), line);
        BOOST_TEST(r.body == body, line);
    }
    BOOST_TEST(dir.entries() == std::set<std::string>{"x"});
}

BOOST_AUTO_TEST_CASE(programs_off_the_list_are_denied_with_a_reason) {
    server s(exec_options{});
    client c(s.endpoint);
    for (const char* line : {"rm -rf /tmp/none", "/bin/rm x", "sh -c date", "cat /etc/passwd", "bash",
                             "../../bin/sh", "'date '", "DATE"}) {
        const auto r = c.run(line);
        BOOST_TEST((r.header.status == exec_status::denied), line);
        BOOST_TEST(r.header.code == 0);
        BOOST_TEST(r.body.find("is not an allowed program") != std::string::npos, line);
        BOOST_TEST(r.body.find("allowed: date echo hostname uname uptime whoami") != std::string::npos);
    }
    for (const char* line : {"", "echo 'unterminated", "echo oops\\"}) {
        const auto r = c.run(line);
        BOOST_TEST((r.header.status == exec_status::error), line);
        BOOST_TEST(!r.body.empty());
    }
    BOOST_TEST((c.run("echo still here").header.status == exec_status::exit));
}

BOOST_AUTO_TEST_CASE(timeout_kills_the_whole_process_group) {
    temp_dir dir;
    // Ignores SIGTERM (and so does its child, which inherits that): only SIGKILL ends them.
    const std::string stubborn = dir.script("stubborn.sh",
                                            "trap '' TERM\n"
                                            "echo $$ > leader.pid\n"
                                            "sleep 60 &\n"
                                            "echo $! > grandchild.pid\n"
                                            "echo started\n"
                                            "wait\n");
    auto o = options_with({stubborn, "echo"}, dir.path);
    o.run.timeout = 1s;
    o.run.kill_grace = 200ms;
    server s(o);
    client c(s.endpoint);
    const auto r = c.run(stubborn);
    BOOST_TEST((r.header.status == exec_status::timeout));
    BOOST_TEST(r.header.code == 0);
    BOOST_TEST(r.body == "started\n");
    const pid_t leader = read_pid(dir.path / "leader.pid");
    const pid_t grandchild = read_pid(dir.path / "grandchild.pid");
    BOOST_TEST_REQUIRE(leader > 0);
    BOOST_TEST_REQUIRE(grandchild > 0);
    BOOST_TEST(process_dead(leader));
    BOOST_TEST(eventually([&] { return process_dead(grandchild); }));
    BOOST_TEST((c.run("echo next").header.status == exec_status::exit));  // the session goes on
}

BOOST_AUTO_TEST_CASE(what_a_program_leaves_running_is_killed_when_it_exits) {
    temp_dir dir;
    const std::string leaver = dir.script("leaver.sh", "sleep 60 &\necho $! > left.pid\necho bye\n");
    auto o = options_with({leaver}, dir.path);
    o.run.timeout = 20s;  // the background sleep holds the pipe: without the kill this would time out
    server s(o);
    client c(s.endpoint);
    const auto r = c.run(leaver);
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.body == "bye\n");
    const pid_t left = read_pid(dir.path / "left.pid");
    BOOST_TEST_REQUIRE(left > 0);
    BOOST_TEST(eventually([&] { return process_dead(left); }));
}

BOOST_AUTO_TEST_CASE(death_by_signal_is_reported) {
    temp_dir dir;
    const std::string suicide = dir.script("suicide.sh", "echo before\nkill -KILL $$\n");
    server s(options_with({suicide}, dir.path));
    client c(s.endpoint);
    const auto r = c.run(suicide);
    BOOST_TEST((r.header.status == exec_status::signal));
    BOOST_TEST(r.header.code == 9);
    BOOST_TEST(r.body == "before\n");
}

BOOST_AUTO_TEST_CASE(output_over_the_limit_is_cut_and_flagged) {
    server s(options_with({"head"}));
    client c(s.endpoint);
    auto r = c.run("head -c 3000000 /dev/zero");
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.header.code == 0);  // the rest was drained: the program ended normally
    BOOST_TEST(r.header.truncated);
    BOOST_TEST(r.header.length == 1024u * 1024u);
    BOOST_TEST(r.body == std::string(1024 * 1024, '\0'));
    r = c.run("head -c 1048576 /dev/zero");  // exactly the limit: nothing lost
    BOOST_TEST(!r.header.truncated);
    BOOST_TEST(r.body.size() == 1024u * 1024u);
}

BOOST_AUTO_TEST_CASE(a_fast_request_is_answered_while_four_slow_ones_run) {
    temp_dir dir;
    for (int i = 0; i < 4; ++i) BOOST_TEST_REQUIRE(::mkfifo((dir.path / ("f" + std::to_string(i))).c_str(), 0600) == 0);
    auto o = options_with({"cat", "echo"}, dir.path);
    o.max_procs = 5;
    server s(o);
    // Each slow command blocks reading its FIFO until the test writes to it.
    std::vector<std::unique_ptr<client>> slow;
    for (int i = 0; i < 4; ++i) {
        slow.push_back(std::make_unique<client>(s.endpoint));
        slow.back()->send("cat f" + std::to_string(i));
    }
    BOOST_TEST_REQUIRE(eventually([&] { return s.service->slots().running() == 4; }));

    client fast(s.endpoint);
    const auto r = fast.run("echo fast");
    BOOST_TEST(r.body == "fast\n");
    for (auto& c : slow) BOOST_TEST(c->socket.available() == 0u);  // all four still running

    for (int i = 0; i < 4; ++i) BOOST_TEST(release_fifo(dir.path / ("f" + std::to_string(i)), "done " + std::to_string(i) + "\n"));
    for (int i = 0; i < 4; ++i) {
        const auto done = slow[i]->response();
        BOOST_TEST((done.header.status == exec_status::exit));
        BOOST_TEST(done.body == "done " + std::to_string(i) + "\n");
    }
}

BOOST_AUTO_TEST_CASE(requests_over_max_procs_wait_their_turn) {
    temp_dir dir;
    BOOST_TEST_REQUIRE(::mkfifo((dir.path / "gate").c_str(), 0600) == 0);
    auto o = options_with({"cat", "echo"}, dir.path);
    o.max_procs = 1;
    server s(o);
    client first(s.endpoint), second(s.endpoint);
    first.send("cat gate");
    BOOST_TEST_REQUIRE(eventually([&] { return s.service->slots().running() == 1; }));
    second.send("echo queued");
    BOOST_TEST_REQUIRE(eventually([&] { return s.service->slots().waiting() == 1; }));
    BOOST_TEST(second.socket.available() == 0u);
    BOOST_TEST(release_fifo(dir.path / "gate", "open\n"));
    BOOST_TEST(first.response().body == "open\n");
    BOOST_TEST(second.response().body == "queued\n");
    BOOST_TEST(eventually([&] { return s.service->slots().running() == 0; }));
}

BOOST_AUTO_TEST_CASE(token_is_required_when_configured) {
    exec_options o;
    o.token = "s3cret token";
    o.refusal_delay = 300ms;
    server s(o);
    {
        client c(s.endpoint);
        const auto sent = std::chrono::steady_clock::now();
        c.send("AUTH s3cret tokeN");
        BOOST_TEST(c.line().value_or("") == "ERR wrong token");
        BOOST_TEST((std::chrono::steady_clock::now() - sent >= 300ms));  // the answer waited
        BOOST_TEST(c.at_end());
    }
    {
        client c(s.endpoint);
        c.send("echo no auth");
        BOOST_TEST(c.line().value_or("") == "ERR expected AUTH <token> as the first line");
        BOOST_TEST(c.at_end());
    }
    {
        client c(s.endpoint);
        c.send("AUTH s3cret token");
        BOOST_TEST(c.line().value_or("") == "OK");
        BOOST_TEST(c.run("echo in").body == "in\n");
    }
}

BOOST_AUTO_TEST_CASE(overlong_line_gets_an_error_then_the_connection_closes) {
    server s(exec_options{});
    {
        client c(s.endpoint);
        const std::string longest = "echo " + std::string(4096 - 5, 'a');
        BOOST_TEST(c.run(longest).body == longest.substr(5) + "\n");
    }
    client c(s.endpoint);
    c.send("echo " + std::string(6000, 'b') + "\necho never");
    const auto r = c.response();
    BOOST_TEST((r.header.status == exec_status::error));
    BOOST_TEST(r.body.find("longer than 4096 bytes") != std::string::npos);
    BOOST_TEST(c.at_end());
}

// The limit counts the text: the longest line is as long with "\r\n" (telnet, nc -C) as with "\n".
BOOST_AUTO_TEST_CASE(the_line_limit_does_not_count_a_carriage_return) {
    server s(exec_options{});
    client c(s.endpoint);
    const std::string longest = "echo " + std::string(4096 - 5, 'a');
    BOOST_TEST(c.run(longest + "\r").body == longest.substr(5) + "\n");
}

BOOST_AUTO_TEST_CASE(allow_shell_runs_the_line_through_sh_like_the_lesson) {
    exec_options o;
    o.allow_shell = true;
    server s(o);
    client c(s.endpoint);
    const auto r = c.run("echo abc | tr a-c x-z; exit 4");
    BOOST_TEST((r.header.status == exec_status::exit));
    BOOST_TEST(r.header.code == 4);
    BOOST_TEST(r.body == "xyz\n");
}

BOOST_AUTO_TEST_CASE(shutdown_ends_running_and_waiting_commands) {
    temp_dir dir;
    BOOST_TEST_REQUIRE(::mkfifo((dir.path / "never").c_str(), 0600) == 0);
    auto o = options_with({"cat"}, dir.path);
    o.max_procs = 1;
    o.run.timeout = 60s;
    auto s = std::make_unique<server>(o);
    client running(s->endpoint), waiting(s->endpoint);
    running.send("cat never");
    BOOST_TEST_REQUIRE(eventually([&] { return s->service->slots().running() == 1; }));
    waiting.send("cat never");
    BOOST_TEST_REQUIRE(eventually([&] { return s->service->slots().waiting() == 1; }));
    const auto start = std::chrono::steady_clock::now();
    s->h.stop();  // would take the 60 s timeout if the command were left running
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
    for (client* c : {&running, &waiting}) {
        const auto r = c->response();
        BOOST_TEST((r.header.status == exec_status::error));
        BOOST_TEST(r.body == "the server is shutting down\n");
    }
}

BOOST_AUTO_TEST_CASE(arguments_off_an_entry_are_denied_and_nothing_runs) {
    server defaults(exec_options{});
    client c(defaults.endpoint);
    auto r = c.run("date -f /etc/shadow");  // would print the file's lines as errors
    BOOST_TEST((r.header.status == exec_status::denied));
    BOOST_TEST(r.body == "argument '-f' is not allowed for 'date' (allowed: -u -R -I)\n");
    r = c.run("hostname evil");
    BOOST_TEST((r.header.status == exec_status::denied));
    BOOST_TEST(r.body == "'hostname' takes no arguments\n");
    BOOST_TEST((c.run("date -s 2001-01-01").header.status == exec_status::denied));
    BOOST_TEST((c.run("uname -a -r").header.status == exec_status::exit));
    BOOST_TEST((c.run("date -u -R").header.status == exec_status::exit));

    temp_dir dir;
    exec_options o = options_with({}, dir.path);
    o.allow = {"touch:marker"};
    server s(o);
    client t(s.endpoint);
    r = t.run("touch other");
    BOOST_TEST((r.header.status == exec_status::denied));
    BOOST_TEST((t.run("touch marker other").header.status == exec_status::denied));
    BOOST_TEST((dir.entries() == std::set<std::string>{}));  // nothing ran
    BOOST_TEST((t.run("touch marker").header.status == exec_status::exit));
    BOOST_TEST((dir.entries() == std::set<std::string>{"marker"}));
}

BOOST_AUTO_TEST_CASE(a_program_that_cannot_start_is_an_error_with_the_reason) {
    temp_dir dir;
    const std::string gone = dir.script("gone.sh", "echo never\n");
    server s(options_with({gone}, dir.path));
    fs::remove(gone);  // resolved at start-up, missing when the request comes
    client c(s.endpoint);
    auto r = c.run(gone);
    BOOST_TEST((r.header.status == exec_status::error));
    BOOST_TEST(r.body.find("cannot run " + gone + ": No such file or directory") == 0u, r.body);
    BOOST_TEST(eventually([&] { return s.service->slots().running() == 0; }));
    if (::geteuid() == 0) {  // nobody may not enter a root-only (0700) working directory
        exec_options o = options_with({"echo"}, dir.path);
        o.run_as = "nobody";
        server t(o);
        client d(t.endpoint);
        r = d.run("echo x");
        BOOST_TEST((r.header.status == exec_status::error));
        BOOST_TEST(r.body.find("cannot enter the working directory " + dir.path.string()) == 0u, r.body);
    }
}

BOOST_AUTO_TEST_CASE(commands_run_with_limits_and_no_new_privileges) {
    exec_options o;
    o.allow_shell = true;
    o.run.timeout = 5s;
    server s(o);
    client c(s.endpoint);
    const auto r = c.run("cat /proc/self/limits; grep NoNewPrivs /proc/self/status");
    BOOST_TEST_REQUIRE((r.header.status == exec_status::exit));
    auto limit = [&](const std::string& name) {
        const auto at = r.body.find(name);
        if (at == std::string::npos) return std::string("missing");
        std::istringstream fields(r.body.substr(at + name.size(), r.body.find('\n', at) - at - name.size()));
        std::string soft, hard;
        fields >> soft >> hard;
        return soft + " " + hard;
    };
    BOOST_TEST(limit("Max address space") == "268435456 268435456");
    BOOST_TEST(limit("Max cpu time") == "6 6");  // the 5 s timeout, plus one
    BOOST_TEST(limit("Max file size") == "16777216 16777216");
    BOOST_TEST(limit("Max processes") == "64 64");
    BOOST_TEST(r.body.find("NoNewPrivs:\t1") != std::string::npos, r.body);

    // A file-size limit is enforced, not only set: the write past it fails (SIGXFSZ).
    temp_dir dir;
    exec_options small = options_with({"head"}, dir.path);
    small.allow = {"/bin/sh:*"};
    small.run.max_file_size = 1000;
    server f(small);
    client w(f.endpoint);
    BOOST_TEST(w.run("/bin/sh -c 'head -c 5000 /dev/zero > big'").header.code != 0);
    BOOST_TEST(fs::file_size(dir.path / "big") == 1000u);
}

BOOST_AUTO_TEST_CASE(as_root_commands_run_as_the_run_as_user) {
    exec_options o;
    o.allow = {"id:-u,-g,-G"};
    if (::geteuid() != 0) {  // nothing to drop: commands keep our identity
        server s(o);
        BOOST_TEST(!s.service->options().run.user.has_value());
        return;
    }
    server s(o);
    client c(s.endpoint);
    BOOST_TEST(c.run("id -u").body == "65534\n");  // nobody
    BOOST_TEST(c.run("id -G").body == std::to_string(s.service->options().run.user->gid) + "\n");
    o.run_as = "no-such-user-netkit";
    test::hosted h;
    BOOST_CHECK_THROW(exec_service(o, h.log()), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_child_that_escapes_with_setsid_is_killed_with_its_request) {
    exec_options o;
    o.allow_shell = true;
    o.run.timeout = 30s;
    server s(o);
    client c(s.endpoint);
    // It keeps the output pipe open too: the answer would wait for it without the subreaper.
    const auto start = std::chrono::steady_clock::now();
    auto r = c.run("setsid sleep 100 & echo $!");
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
    BOOST_TEST((r.header.status == exec_status::exit));
    const pid_t escaped = std::atoi(r.body.c_str());
    BOOST_TEST_REQUIRE(escaped > 0);
    BOOST_TEST(eventually([&] { return process_dead(escaped); }));

    o.run.timeout = 1s;
    server t(o);
    client d(t.endpoint);
    r = d.run("setsid sleep 100 > /dev/null 2>&1 & echo $!; exec sleep 100");
    BOOST_TEST((r.header.status == exec_status::timeout));
    const pid_t escaped_too = std::atoi(r.body.c_str());
    BOOST_TEST_REQUIRE(escaped_too > 0);
    BOOST_TEST(eventually([&] { return process_dead(escaped_too); }));
}

namespace {
// Closes with SO_LINGER 0: the peer gets a reset, as when a client dies with data unread.
void reset(client& c) {
    const ::linger abort_close{1, 0};
    ::setsockopt(c.socket.native_handle(), SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
    c.socket.close();
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_request_whose_client_is_gone_is_cancelled) {
    temp_dir dir;
    BOOST_TEST_REQUIRE(::mkfifo((dir.path / "never").c_str(), 0600) == 0);
    auto o = options_with({"cat"}, dir.path);
    o.max_procs = 1;
    o.run.timeout = 60s;
    server s(o);
    client running(s.endpoint), waiting(s.endpoint);
    running.send("cat never");
    BOOST_TEST_REQUIRE(eventually([&] { return s.service->slots().running() == 1; }));
    waiting.send("cat never");
    BOOST_TEST_REQUIRE(eventually([&] { return s.service->slots().waiting() == 1; }));
    reset(waiting);  // gone while waiting: leaves the queue, never runs
    BOOST_TEST(eventually([&] { return s.service->slots().waiting() == 0; }));
    BOOST_TEST(s.service->slots().running() == 1);
    reset(running);  // gone while running: killed (it would wait for the FIFO for 60 s)
    BOOST_TEST(eventually([&] { return s.service->slots().running() == 0; }));

    // A half-close is not a departure: the peer still reads the answer.
    client polite(s.endpoint);
    polite.send("cat never");
    polite.socket.shutdown(tcp::socket::shutdown_send);
    BOOST_TEST_REQUIRE(eventually([&] { return s.service->slots().running() == 1; }));
    BOOST_TEST(release_fifo(dir.path / "never", "late\n"));
    BOOST_TEST(polite.response().body == "late\n");
}

BOOST_AUTO_TEST_CASE(a_connection_that_does_not_log_in_in_time_is_closed) {
    exec_options o;
    o.token = "s3cret";
    o.login_timeout = 300ms;
    server s(o);
    client idle(s.endpoint), prompt(s.endpoint);
    const ::timeval limit{5, 0};  // a failing test must not hang
    ::setsockopt(idle.socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    prompt.send("AUTH s3cret");
    BOOST_TEST(prompt.line().value_or("") == "OK");
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(idle.at_end());
    BOOST_TEST((std::chrono::steady_clock::now() - start < 4s));
    BOOST_TEST(prompt.run("echo still here").body == "still here\n");  // logged in: no deadline
}

BOOST_AUTO_TEST_CASE(parallel_connections_guess_tokens_no_faster_than_one) {
    exec_options o;
    o.token = "s3cret";
    o.refusal_delay = 300ms;
    server s(o);
    client a(s.endpoint), b(s.endpoint), right(s.endpoint);
    const auto start = std::chrono::steady_clock::now();
    a.send("AUTH guess-1");
    b.send("AUTH guess-2");
    BOOST_TEST(a.line().value_or("") == "ERR wrong token");
    BOOST_TEST(b.line().value_or("") == "ERR wrong token");
    // Both from 127.0.0.1: the second wrong answer waits for the first one's delay too.
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 600ms));
    BOOST_TEST(s.service->throttle().size() == 1u);
    right.send("AUTH s3cret");
    BOOST_TEST(right.line().value_or("") == "OK");
}

BOOST_AUTO_TEST_SUITE_END()
