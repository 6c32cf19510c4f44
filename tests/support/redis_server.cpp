#include "support/redis_server.hpp"

#include <netkit/asio.hpp>

#include <hiredis/hiredis.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>

namespace netkit::test {

namespace {

std::uint16_t free_loopback_port() {
    // Bound then closed: redis-server binds it right after (SO_REUSEADDR), a tiny window at most.
    asio::io_context io;
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return probe.local_endpoint().port();
}

std::string text_of(const redisReply* r) {
    switch (r->type) {
        case REDIS_REPLY_NIL: return "(nil)";
        case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
        case REDIS_REPLY_ERROR: return std::string(r->str, r->len);
        default: return "(array)";
    }
}

}  // namespace

redis_server::redis_server() {
    char pattern[] = "/tmp/netkit-redis-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("redis_server: mkdtemp failed");
    dir_ = pattern;
    port_ = free_loopback_port();
    start();
}

redis_server::~redis_server() {
    try {
        stop();
    } catch (...) {
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string redis_server::url(const std::string& prefix) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + (prefix.empty() ? "" : "/" + prefix);
}

void redis_server::start() {
    process_ = std::make_unique<child_process>(std::vector<std::string>{
        "/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", dir_.string(), "--logfile", "", "--daemonize", "no"});
    // Readiness: redis-server says so on its log, then PING must answer.
    for (;;) {
        auto line = process_->read_line(std::chrono::seconds(10));
        if (!line) throw std::runtime_error("redis-server on port " + std::to_string(port_) + " did not start");
        if (line->find("Ready to accept connections") != std::string::npos) break;
    }
    if (command({"PING"}) != "PONG")
        throw std::runtime_error("redis-server on port " + std::to_string(port_) + " does not answer PING");
}

void redis_server::stop() {
    if (!process_) return;
    process_->signal(SIGTERM);
    process_->wait();
    process_.reset();
}

void redis_server::kill() {
    if (!process_) return;
    process_->signal(SIGKILL);
    process_->wait();
    process_.reset();
}

std::string redis_server::command(const std::vector<std::string>& args) const {
    timeval timeout{2, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeout);
    if (c == nullptr) return "(unreachable)";
    if (c->err) {
        redisFree(c);
        return "(unreachable)";
    }
    redisSetTimeout(c, timeout);
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lengths.data()));
    std::string out = "(unreachable)";
    if (reply != nullptr) {
        out = text_of(reply);
        freeReplyObject(reply);
    }
    redisFree(c);
    return out;
}

}  // namespace netkit::test
