// `netkit serve chat --bus redis://...` as an operator runs it: two node processes and a private
// redis-server; a line crosses, a name is unique across nodes, and SIGTERM exits 0 and frees names.
#include "support/child_process.hpp"
#include "support/redis_server.hpp"

#include <netkit/asio.hpp>

#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <csignal>
#include <tuple>

using namespace netkit;
using namespace std::chrono_literals;
using netkit::test::child_process;

namespace {

const std::string exe = NETKIT_EXE;

// A node process and the line-protocol port it announced.
struct chat_process {
    explicit chat_process(const std::string& bus_url)
        : process({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--bus", bus_url}) {
        for (int i = 0; i < 2; ++i) {
            auto line = process.read_line(20s);
            BOOST_REQUIRE(line);
            if (line->ends_with("(line)")) line_port = test::port_of(*line);
        }
        BOOST_REQUIRE(line_port != 0);
    }
    child_process process;
    unsigned short line_port = 0;
};

// A line-protocol user with a deadline on every read.
class line_client {
public:
    explicit line_client(unsigned short port) : socket_(io_) {
        socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    }
    void say(const std::string& text) { asio::write(socket_, asio::buffer(text + "\n")); }
    bool wait_line(const std::string& wanted, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (auto nl = pending_.find('\n'); nl != std::string::npos; nl = pending_.find('\n')) {
                const std::string line = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                if (line == wanted) return true;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{socket_.native_handle(), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char chunk[4096];
            const ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            pending_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    // Answers the name prompt; true once the join notice came back.
    bool join(const std::string& name) {
        if (!wait_line("Type your name and press Enter.")) return false;
        say(name);
        return wait_line(name + " joined the chat", 3s);
    }

private:
    asio::io_context io_;
    tcp::socket socket_;
    std::string pending_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(redis_cli)

BOOST_AUTO_TEST_CASE(two_node_processes_share_one_chat) {
    test::redis_server redis;
    chat_process a(redis.url("cli-test")), b(redis.url("cli-test"));
    line_client ann(a.line_port), ben(b.line_port);
    BOOST_REQUIRE(ann.join("ann"));
    BOOST_REQUIRE(ben.join("ben"));
    // Both nodes subscribe in the background: probes are re-sent until one crosses each way.
    for (auto [from, from_name, to] : {std::tuple{&ann, "ann", &ben}, std::tuple{&ben, "ben", &ann}}) {
        bool linked = false;
        for (int i = 0; i < 100 && !linked; ++i) {
            from->say("probe " + std::to_string(i));
            linked = to->wait_line(std::string(from_name) + ": probe " + std::to_string(i), 50ms);
        }
        BOOST_REQUIRE(linked);
    }
    ann.say("hello B");
    BOOST_TEST(ben.wait_line("ann: hello B"));
    ben.say("hello A");
    BOOST_TEST(ann.wait_line("ben: hello A"));

    line_client copycat(b.line_port);
    BOOST_TEST(!copycat.join("ANN"));  // held by node A

    // A clean stop deletes A's names at once (the expiry, 15 s, is far beyond this deadline).
    a.process.signal(SIGTERM);
    BOOST_TEST(a.process.wait(10s).value_or(-1) == 0);
    BOOST_TEST(redis.command({"EXISTS", "cli-test:name:ann"}) == "0");
    line_client again(b.line_port);
    BOOST_TEST(again.join("ann"));
    b.process.signal(SIGTERM);
    BOOST_TEST(b.process.wait(10s).value_or(-1) == 0);
}

// Issue 15's report: with Redis down, "wlocal" was refused as "already taken". It is welcomed, told
// that only this node checked its name, and the node still stops cleanly.
BOOST_AUTO_TEST_CASE(a_join_while_redis_is_down_is_welcomed_and_told) {
    test::redis_server redis;
    chat_process a(redis.url("cli-test"));
    line_client warm(a.line_port);
    BOOST_REQUIRE(warm.join("warm"));  // the node is linked: its claims go through Redis
    redis.kill();
    line_client user(a.line_port);
    BOOST_REQUIRE(user.wait_line("Type your name and press Enter."));
    user.say("wlocal");
    BOOST_TEST(user.wait_line("Welcome wlocal! Users here: 2. Type {quit} to leave the chat.", 3s));
    BOOST_TEST(user.wait_line("the other chat nodes cannot be reached now: your name was checked on this node only"));
    BOOST_TEST(user.wait_line("wlocal joined the chat"));
    BOOST_TEST(warm.wait_line("wlocal joined the chat"));
    a.process.signal(SIGTERM);
    BOOST_TEST(a.process.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_bus_url_exits_2) {
    child_process bad({exe, "serve", "chat", "--header-port", "0", "--line-port", "0", "--bus", "http://x:1"});
    BOOST_TEST(bad.wait().value_or(-1) == 2);
}

BOOST_AUTO_TEST_SUITE_END()
