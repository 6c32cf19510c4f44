#include "bench.hpp"

#include <iomanip>
#include <ostream>

namespace netkit::bench {

namespace {

double per_second(std::uint64_t n, double seconds) { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }
double us(std::uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

// Why a run may not show the server's limit: said in the output so nobody reads too much into it.
std::string limits(const options& o, const results& r) {
    std::string s;
    if (r.setup_incomplete) s += "not every connection was set up in time; ";
    if (r.errors) s += "errors occurred; ";
    if (o.threads == 1 && o.scenario != "hold") s += "one generator thread; ";
    if (o.scenario == "chat" && o.rate == 0) s += "window-bound senders; ";
    s += r.note;
    return s;
}

}  // namespace

void print_table(std::ostream& out, const options& o, const results& r) {
    const auto f = [&](const char* name) -> std::ostream& { return out << "  " << std::left << std::setw(18) << name; };
    out << "netkit-bench " << o.scenario << " against " << o.host << ":" << o.port << "\n";
    f("connections") << (o.scenario == "chat" ? o.clients : o.connections) << " (" << r.ready.load()
                     << " ready, " << r.failed.load() << " failed, setup " << std::fixed << std::setprecision(2)
                     << r.setup_seconds << " s)\n";
    if (o.scenario == "chat")
        f("chat") << o.protocol << " protocol, " << o.senders << " sender(s), window " << o.window
                  << ", rate " << (o.rate > 0 ? std::to_string(o.rate) : "max") << "\n";
    if (o.tls.context) f("tls") << (o.tls.resume ? "resuming sessions" : "full handshakes") << ", " << r.resumed.load() << " resumed\n";
    f("size") << o.size << " B\n";
    f("threads") << o.threads << "\n";
    f("measured") << std::setprecision(2) << r.seconds << " s\n";
    f(o.scenario == "chat" ? "delivered/s" : o.scenario == "connect" ? "connects/s" : "messages/s")
        << std::setprecision(0) << per_second(r.messages, r.seconds) << "\n";
    if (o.scenario == "chat") f("sent/s") << per_second(r.sent, r.seconds) << "\n";
    f("MiB/s") << std::setprecision(1) << per_second(r.bytes, r.seconds) / (1024.0 * 1024.0) << "  ("
               << std::setprecision(2) << per_second(r.bytes, r.seconds) * 8 / 1e9 << " Gbit/s)\n";
    if (r.has_latency && r.latency.total() > 0)
        f("latency us") << std::setprecision(1) << "p50 " << us(r.latency.quantile(0.5)) << "  p90 "
                        << us(r.latency.quantile(0.9)) << "  p99 " << us(r.latency.quantile(0.99)) << "  p99.9 "
                        << us(r.latency.quantile(0.999)) << "  max " << us(r.latency.max()) << "\n";
    if (r.rss_before_kib >= 0 && r.rss_after_kib >= 0) {
        const double per = r.ready ? static_cast<double>(r.rss_after_kib - r.rss_before_kib) / r.ready : 0;
        f("server RSS") << r.rss_before_kib << " KiB -> " << r.rss_after_kib << " KiB, " << std::setprecision(2)
                        << per << " KiB per connection\n";
    }
    f("errors") << r.errors.load() << "\n";
    if (o.scenario == "udp-pingpong") f("lost") << r.lost.load() << "\n";
    if (o.scenario == "chat") {
        f("missed") << r.missed.load() << "\n";
        f("disconnected") << r.disconnected.load() << "\n";
    }
    f("limits") << limits(o, r) << "\n";
}

void print_json(std::ostream& out, const options& o, const results& r) {
    out << std::fixed << std::setprecision(3) << "{\"scenario\":\"" << o.scenario << "\",\"port\":" << o.port
        << ",\"connections\":" << (o.scenario == "chat" ? o.clients : o.connections) << ",\"size\":" << o.size
        << ",\"threads\":" << o.threads << ",\"ready\":" << r.ready.load() << ",\"failed\":" << r.failed.load()
        << ",\"setup_seconds\":" << r.setup_seconds << ",\"seconds\":" << r.seconds
        << ",\"messages\":" << r.messages.load() << ",\"messages_per_second\":" << per_second(r.messages, r.seconds)
        << ",\"bytes\":" << r.bytes.load() << ",\"mib_per_second\":" << per_second(r.bytes, r.seconds) / 1048576.0
        << ",\"gbit_per_second\":" << per_second(r.bytes, r.seconds) * 8 / 1e9
        << ",\"errors\":" << r.errors.load() << ",\"lost\":" << r.lost.load() << ",\"missed\":" << r.missed.load()
        << ",\"sent\":" << r.sent.load() << ",\"disconnected\":" << r.disconnected.load()
        << ",\"tls\":" << (o.tls.context ? "true" : "false") << ",\"resumed\":" << r.resumed.load();
    if (r.has_latency && r.latency.total() > 0)
        out << ",\"latency_us\":{\"p50\":" << us(r.latency.quantile(0.5)) << ",\"p90\":" << us(r.latency.quantile(0.9))
            << ",\"p99\":" << us(r.latency.quantile(0.99)) << ",\"p999\":" << us(r.latency.quantile(0.999))
            << ",\"max\":" << us(r.latency.max()) << "}";
    if (r.rss_before_kib >= 0 && r.rss_after_kib >= 0)
        out << ",\"rss_before_kib\":" << r.rss_before_kib << ",\"rss_after_kib\":" << r.rss_after_kib
            << ",\"rss_per_connection_kib\":"
            << (r.ready ? static_cast<double>(r.rss_after_kib - r.rss_before_kib) / r.ready : 0);
    out << ",\"limits\":\"" << limits(o, r) << "\"}\n";
}

}  // namespace netkit::bench
