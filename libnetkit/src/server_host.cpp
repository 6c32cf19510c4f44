#include <netkit/server_host.hpp>

#include <netkit/endpoint.hpp>
#include <netkit/runtime.hpp>

#include <csignal>
#include <ostream>

namespace netkit {

server_host::server_host(logger& log) : log_(log), signals_(asio::make_strand(io_), SIGINT, SIGTERM) {}

server_host::~server_host() = default;

tcp_server& server_host::add_tcp(tcp_server_options options, tcp_server::session_factory make) {
    tcp_.push_back(std::make_unique<tcp_server>(io_, std::move(options), std::move(make), log_));
    return *tcp_.back();
}

udp_server& server_host::add_udp(udp_server_options options, udp_server::handler handle) {
    udp_.push_back(std::make_unique<udp_server>(io_, std::move(options), std::move(handle), log_));
    return *udp_.back();
}

void server_host::on_shutdown(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

void server_host::shutdown() {
    std::call_once(shutdown_once_, [this] {
        shutting_down_ = true;
        asio::post(signals_.get_executor(), [this] {
            boost::system::error_code ignored;
            signals_.cancel(ignored);
        });
        for (auto& hook : hooks_) hook();
        for (auto& s : tcp_) s->stop(grace_);
        for (auto& s : udp_) s->stop();
    });
}

int server_host::run(unsigned threads, std::chrono::milliseconds grace, std::ostream& announce) {
    grace_ = grace;
    asio::post(signals_.get_executor(), [this] {
        if (shutting_down_) return;  // shutdown() came first: a pending wait would keep run() alive
        signals_.async_wait([this](boost::system::error_code ec, int signo) {
            if (ec) return;
            log_.info("signal ", signo, " received: shutting down");
            shutdown();
        });
    });
    for (auto& s : tcp_) {
        s->start();
        announce_listening(announce, to_string(s->local_endpoint()), s->options().label);
    }
    for (auto& s : udp_) {
        s->start();
        announce_listening(announce, to_string(s->local_endpoint()), s->options().label);
    }
    run_threads(io_, threads);
    log_.info("stopped");
    return 0;
}

}  // namespace netkit
