#include <netkit/redis/link.hpp>

#include <netkit/redis/url.hpp>

#include <algorithm>
#include <utility>

namespace netkit::redis {

link::link(strand on, link_options options, std::string name, logger& log, handlers h)
    : strand_(on), resolver_(on), retry_(on), options_(std::move(options)), name_(std::move(name)), log_(log),
      handlers_(std::move(h)), backoff_(options_.reconnect_min) {}

std::string link::address() const { return redis::address(options_.host, options_.port); }

void link::start() {
    if (running_) return;
    running_ = true;
    connect();
}

void link::close() {
    running_ = false;
    retry_.cancel();
    resolver_.cancel();
    if (!conn_) return;
    // An open connection says `closed` after the replies still due (through lost()); one that is
    // not up is done at once.
    conn_->close();
    if (!conn_->is_connected()) conn_.reset();
}

void link::abandon() {
    running_ = false;
    ++generation_;
    if (auto c = std::exchange(conn_, nullptr)) c->abandon();
}

void link::connect() {
    // Handlers of an attempt that was since replaced or given up carry an old generation.
    const unsigned generation = ++generation_;
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        asio::bind_executor(strand_, [self = shared_from_this(), generation](boost::system::error_code ec,
                                                                             tcp::resolver::results_type found) {
            if (!self->running_ || self->generation_ != generation) return;
            if (ec || found.empty()) return self->lost("cannot resolve " + self->options_.host + ": " + ec.message());
            std::string error;
            std::weak_ptr<link> weak = self;
            connection::handlers h{[weak, generation] {
                                       if (auto s = weak.lock(); s && s->generation_ == generation) s->connected();
                                   },
                                   [weak, generation](const std::string& why) {
                                       if (auto s = weak.lock(); s && s->generation_ == generation) s->lost(why);
                                   }};
            self->conn_ = connection::open(self->strand_, found.begin()->endpoint().address().to_string(),
                                           self->options_.port, std::move(h), error);
            if (!self->conn_) self->lost(error);
        }));
}

void link::connected() {
    if (failures_ > 0)
        log_.info(name_, " connection to Redis at ", address(), " is back");
    else
        log_.debug(name_, " connection to Redis at ", address(), " up");
    failures_ = 0;
    backoff_ = options_.reconnect_min;
    if (handlers_.up) handlers_.up(*conn_);
}

void link::lost(const std::string& why) {
    ++generation_;
    if (auto c = std::exchange(conn_, nullptr)) c->abandon();
    if (handlers_.down) handlers_.down();
    if (!running_) return;
    if (failures_++ == 0)
        log_.warn(name_, " connection to Redis at ", address(), " failed: ", why,
                  "; retrying with backoff");
    else
        log_.debug(name_, " connection retry failed: ", why);
    retry_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec && self->running_) self->connect();
    });
}

}  // namespace netkit::redis
