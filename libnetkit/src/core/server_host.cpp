#include <netkit/server_host.hpp>

#include <netkit/endpoint.hpp>
#include <netkit/http/server.hpp>
#include <netkit/runtime.hpp>
#include <netkit/version.hpp>

#include <systemd/sd-daemon.h>

#include <csignal>
#include <ctime>
#include <ostream>

namespace netkit {

server_host::server_host(logger& log) : log_(log), signals_(asio::make_strand(io_), SIGINT, SIGTERM, SIGHUP) {}

server_host::~server_host() = default;

tcp_server& server_host::add_tcp(tcp_server_options options, tcp_server::session_factory make) {
    if (!options.metrics) options.metrics = metrics_.get();
    tcp_.push_back(std::make_unique<tcp_server>(io_, std::move(options), std::move(make), log_));
    return *tcp_.back();
}

udp_server& server_host::add_udp(udp_server_options options, udp_server::handler handle) {
    udp_.push_back(std::make_unique<udp_server>(io_, std::move(options), std::move(handle), log_));
    return *udp_.back();
}

metrics::registry& server_host::enable_metrics() {
    if (!metrics_) {
        metrics_ = std::make_unique<metrics::registry>();
        metrics_->add_gauge("netkit_build_info", "Always 1; the version of this netkit in its label.",
                            {{"version", std::string(netkit::version)}})
            .set(1);
    }
    return *metrics_;
}

tcp_server& server_host::add_metrics_listener(tcp_server_options options) {
    auto& registry = enable_metrics();
    if (options.label.empty()) options.label = "metrics";
    auto routes = std::make_shared<http::router>();
    routes->get("/metrics", [&registry] {
        return http::response{200, metrics::exposition_content_type, registry.render()};
    });
    routes->get("/healthz", [this] {
        // Load balancers and probes stop sending new clients once a graceful stop has begun.
        if (shutting_down_) return http::response{503, "text/plain; charset=utf-8", "stopping\n"};
        return http::response{200, "text/plain; charset=utf-8", "ok\n"};
    });
    return add_tcp(std::move(options), http::session_factory(std::move(routes)));
}

void server_host::on_shutdown(std::function<void()> hook) { hooks_.push_back(std::move(hook)); }

void server_host::on_reload(std::function<void()> hook) { reload_hooks_.push_back(std::move(hook)); }

void server_host::shutdown() {
    std::call_once(shutdown_once_, [this] {
        shutting_down_ = true;
        sd_notify(0, "STOPPING=1");
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
    asio::post(signals_.get_executor(), [this] { wait_for_signal(); });
    for (auto& s : tcp_) {
        s->start();
        announce_listening(announce, to_string(s->local_endpoint()), s->options().label);
    }
    for (auto& s : udp_) {
        s->start();
        announce_listening(announce, to_string(s->local_endpoint()), s->options().label);
    }
    // Every listener is bound and listening: clients can connect from now on.
    sd_notify(0, "READY=1");
    run_threads(io_, threads);
    log_.info("stopped");
    return 0;
}

// Runs on the signal strand.
void server_host::wait_for_signal() {
    if (shutting_down_) return;  // shutdown() came first: a pending wait would keep run() alive
    signals_.async_wait([this](boost::system::error_code ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
            reload();
            wait_for_signal();
            return;
        }
        log_.info("signal ", signo, " received: shutting down");
        shutdown();
    });
}

void server_host::reload() {
    log_.info("SIGHUP received: reloading");
    // systemd wants the time of the reload with it, to match it against the one it asked for.
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
               static_cast<unsigned long long>(now.tv_sec) * 1000000ULL + static_cast<unsigned long long>(now.tv_nsec) / 1000);
    for (auto& hook : reload_hooks_) {
        try {
            hook();
        } catch (const std::exception& e) {
            log_.error("reload failed, keeping the old settings: ", e.what());
        }
    }
    sd_notify(0, "READY=1");
}

}  // namespace netkit
