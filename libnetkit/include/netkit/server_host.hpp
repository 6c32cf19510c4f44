// Runs a set of listeners on one io_context and N threads until SIGINT/SIGTERM, then stops them
// gracefully. This is the whole "main" of a netkit service. Under systemd (Type=notify) it tells
// the manager READY=1 once every listener is open, RELOADING=1/READY=1 around a SIGHUP reload and
// STOPPING=1 at shutdown; elsewhere those notices are no-ops.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/log.hpp>
#include <netkit/metrics/registry.hpp>
#include <netkit/tcp_server.hpp>
#include <netkit/udp_server.hpp>

#include <chrono>
#include <atomic>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <vector>

namespace netkit {

class server_host {
public:
    explicit server_host(logger& log);
    ~server_host();

    asio::io_context& io() { return io_; }
    logger& log() { return log_; }

    // Every TCP listener added after enable_metrics() counts its connections in the registry.
    tcp_server& add_tcp(tcp_server_options options, tcp_server::session_factory make);
    udp_server& add_udp(udp_server_options options, udp_server::handler handle);
    // Makes (once) and returns the host's metrics registry, with netkit_build_info in it; services
    // register their own metrics there. Call it before adding the listeners it should count.
    metrics::registry& enable_metrics();
    // The registry, or nullptr while metrics are off (the default: nothing is counted).
    metrics::registry* metrics() { return metrics_.get(); }
    // Enables metrics and adds an HTTP listener (label "metrics" unless set) serving GET /metrics
    // (the registry in the Prometheus text format) and GET /healthz (200 "ok", 503 once stopping).
    tcp_server& add_metrics_listener(tcp_server_options options);

    // Called once when shutdown begins, before the listeners are stopped.
    void on_shutdown(std::function<void()> hook);
    // Called on SIGHUP (on the signal strand); an exception it throws is logged, not fatal.
    void on_reload(std::function<void()> hook);

    // Starts every listener, prints one listening line per listener on `announce`, runs the
    // io_context on `threads` threads and returns 0 once a signal has stopped everything.
    int run(unsigned threads, std::chrono::milliseconds grace, std::ostream& announce);

    // Thread-safe: what a signal does.
    void shutdown();

private:
    void wait_for_signal();
    void reload();

    logger& log_;
    std::unique_ptr<metrics::registry> metrics_;  // first made, last destroyed: sessions count into it
    asio::io_context io_;
    asio::signal_set signals_;  // on its own strand: armed by run(), cancelled by shutdown()
    std::chrono::milliseconds grace_{2000};
    std::vector<std::unique_ptr<tcp_server>> tcp_;
    std::vector<std::unique_ptr<udp_server>> udp_;
    std::vector<std::function<void()>> hooks_;
    std::vector<std::function<void()>> reload_hooks_;
    std::once_flag shutdown_once_;
    std::atomic<bool> shutting_down_{false};
};

}  // namespace netkit
