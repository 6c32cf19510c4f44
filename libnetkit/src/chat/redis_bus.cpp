#include <netkit/chat/redis_bus.hpp>

#include <netkit/redis/connection.hpp>

#include <algorithm>
#include <charconv>
#include <random>
#include <unordered_set>
#include <utility>
#include <vector>

namespace netkit::chat {

namespace {

// Renews a name this node holds, or takes it back if it vanished (Redis restarted, or it expired
// while the bus was down). 0: another node holds it now.
constexpr const char* renew_script =
    "local v = redis.call('GET', KEYS[1]) "
    "if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end "
    "if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
    "return 0";
// Deletes a name only if this node still holds it.
constexpr const char* release_script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

std::string random_node_id() {
    std::random_device rd;
    std::uniform_int_distribution<int> hex(0, 15);
    std::string id(16, '0');
    for (auto& c : id) c = "0123456789abcdef"[hex(rd)];
    return id;
}

bool parse_uint(std::string_view text, std::size_t& out) {
    if (text.empty() || text.size() > 9) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::optional<redis_bus_options> parse_redis_url(std::string_view url, std::string& error) {
    constexpr std::string_view scheme = "redis://";
    redis_bus_options o;
    error.clear();
    if (!url.starts_with(scheme)) {
        error = "a Redis bus URL starts with redis:// (got '" + std::string(url) + "')";
        return std::nullopt;
    }
    url.remove_prefix(scheme.size());
    const auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    if (slash != std::string_view::npos) {
        const auto prefix = url.substr(slash + 1);
        if (!prefix.empty()) {
            const bool ok = prefix.size() <= 100 && std::all_of(prefix.begin(), prefix.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == ':';
            });
            if (!ok) {
                error = "the channel prefix may hold up to 100 of A-Z a-z 0-9 - _ . : (got '" +
                        std::string(prefix) + "')";
                return std::nullopt;
            }
            o.prefix = prefix;
        }
    }
    std::string_view host = authority, port;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            error = "unclosed '[' in Redis address '" + std::string(authority) + "'";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') {
                error = "expected ':PORT' after ']' in '" + std::string(authority) + "'";
                return std::nullopt;
            }
            port = rest.substr(1);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) {
        error = "no Redis host in '" + std::string(authority) + "'";
        return std::nullopt;
    }
    o.host = host;
    if (!port.empty() || authority.ends_with(':')) {
        std::size_t p = 0;
        if (!parse_uint(port, p) || p == 0 || p > 65535) {
            error = "bad Redis port '" + std::string(port) + "'";
            return std::nullopt;
        }
        o.port = static_cast<std::uint16_t>(p);
    }
    return o;
}

// All state lives on one strand; public entry points post to it.
class redis_bus::impl : public std::enable_shared_from_this<impl> {
public:
    impl(asio::io_context& io, redis_bus_options options, logger& log)
        : strand_(asio::make_strand(io)), resolver_(strand_), options_(std::move(options)), log_(log),
          node_id_(random_node_id()), channel_(options_.prefix + ":events"),
          subscriber_{"subscriber", nullptr, asio::steady_timer(strand_), options_.reconnect_min, 0},
          commands_{"command", nullptr, asio::steady_timer(strand_), options_.reconnect_min, 0},
          refresh_timer_(strand_), stop_timer_(strand_) {}

    enum class state { idle, running, stopping, stopped };

    struct link {
        const char* role;
        std::shared_ptr<redis::connection> conn;
        asio::steady_timer retry;
        std::chrono::milliseconds backoff;
        unsigned failures;
        unsigned generation = 0;  // of the current connection attempt
        bool up() const { return conn && conn->is_connected(); }
    };

    // A claim answered by Redis or by the timeout, whichever comes first.
    struct claim_state {
        asio::any_completion_handler<void(bool)> handler;
        asio::steady_timer timer;
        bool finished = false;
        void finish(bool ok) {
            if (finished) return;
            finished = true;
            timer.cancel();
            auto h = std::move(handler);
            // Resumes the claimer on its own executor (its session's strand), never on ours.
            auto ex = asio::get_associated_executor(h);
            asio::dispatch(asio::bind_executor(ex, [h = std::move(h), ok]() mutable { std::move(h)(ok); }));
        }
    };

    void set_deliver(std::function<void(chat_event)> deliver) {
        asio::post(strand_, [self = shared_from_this(), d = std::move(deliver)]() mutable {
            self->deliver_ = std::move(d);
        });
    }

    void start() {
        asio::post(strand_, [self = shared_from_this()] {
            if (self->state_ != state::idle) return;
            self->state_ = state::running;
            self->log_.info("chat bus: node ", self->node_id_, " using Redis at ", self->address(),
                            " channel ", self->channel_);
            self->connect(self->subscriber_);
            self->connect(self->commands_);
            self->arm_refresh();
        });
    }

    void stop() {
        asio::post(strand_, [self = shared_from_this()] {
            if (self->state_ != state::running) return;
            self->state_ = state::stopping;
            self->refresh_timer_.cancel();
            // Local users are about to leave: their releases and "left" events still go out.
            if (self->owned_.empty()) return self->finish_stop();
            self->stop_timer_.expires_after(self->options_.stop_linger);
            self->stop_timer_.async_wait([self](boost::system::error_code ec) {
                if (!ec) self->finish_stop();
            });
        });
    }

    void claim(std::string key, asio::any_completion_handler<void(bool)> handler) {
        asio::post(strand_, [self = shared_from_this(), key = std::move(key), h = std::move(handler)]() mutable {
            auto claim = std::make_shared<claim_state>(claim_state{std::move(h), asio::steady_timer(self->strand_)});
            if (self->state_ != state::running) return claim->finish(false);
            // No answer in time (Redis down or slow): the bus cannot tell whether another node has
            // the name, so it is refused rather than risk a duplicate.
            claim->timer.expires_after(self->options_.claim_timeout);
            claim->timer.async_wait([claim](boost::system::error_code ec) {
                if (!ec) claim->finish(false);
            });
            if (self->commands_.up()) return self->send_claim(key, claim);
            // Not connected yet (just started) or reconnecting: sent as soon as the link is up.
            std::erase_if(self->waiting_claims_, [](const auto& w) { return w.second->finished; });
            self->waiting_claims_.emplace_back(std::move(key), std::move(claim));
        });
    }

    void send_claim(const std::string& key, const std::shared_ptr<claim_state>& claim) {
        std::weak_ptr<impl> weak = shared_from_this();
        const bool sent = commands_.conn->command(
            {"SET", name_key(key), node_id_, "NX", "PX", ttl_ms()}, [weak, claim, key](const redis::reply* r) {
                const bool ok = r && r->is(redis::reply::kind::status, "OK");
                auto self = weak.lock();
                if (ok && self) {
                    if (claim->finished || self->state_ != state::running)
                        self->release_in_redis(key);  // too late: nobody waits for it
                    else
                        self->owned_.insert(key);
                }
                claim->finish(ok);
            });
        if (!sent) claim->finish(false);
    }

    void release(std::string key) {
        asio::post(strand_, [self = shared_from_this(), key = std::move(key)] {
            if (self->owned_.erase(key) == 0) return;
            self->release_in_redis(key);
            if (self->state_ == state::stopping && self->owned_.empty())
                asio::post(self->strand_, [self] { self->finish_stop(); });  // after queued publishes
        });
    }

    void publish(std::string payload) {
        asio::post(strand_, [self = shared_from_this(), payload = std::move(payload)] {
            if (self->state_ != state::running && self->state_ != state::stopping) return;
            auto& link = self->commands_;
            if (!link.up() || link.conn->pending() >= self->options_.max_pending ||
                !link.conn->command({"PUBLISH", self->channel_, payload})) {
                if (auto* m = self->options_.metrics) m->events_dropped.add();
                if (self->dropped_++ == 0)
                    self->log_.warn("chat bus: Redis unreachable or too slow; local events are not "
                                    "reaching other nodes");
                return;
            }
        });
    }

    void abandon() {
        // The io_context no longer runs: nothing else touches this state.
        deliver_ = nullptr;
        state_ = state::stopped;
        if (auto c = subscriber_.conn) c->abandon();
        if (auto c = commands_.conn) c->abandon();
    }

    const std::string& node_id() const { return node_id_; }

private:
    std::string address() const {
        return (options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host) +
               ":" + std::to_string(options_.port);
    }
    std::string name_key(const std::string& key) const { return options_.prefix + ":name:" + key; }
    std::string ttl_ms() const { return std::to_string(options_.name_ttl.count()); }

    void connect(link& l) {
        // Handlers of an attempt that was since replaced or given up carry an old generation.
        const unsigned generation = ++l.generation;
        resolver_.async_resolve(
            options_.host, std::to_string(options_.port),
            asio::bind_executor(strand_, [self = shared_from_this(), &l, generation](
                                             boost::system::error_code ec, tcp::resolver::results_type found) {
                if (self->state_ != state::running || l.generation != generation) return;
                if (ec || found.empty())
                    return self->lost(l, "cannot resolve " + self->options_.host + ": " + ec.message());
                std::string error;
                std::weak_ptr<impl> weak = self;
                redis::connection::handlers h{
                    [weak, &l, generation] {
                        if (auto s = weak.lock(); s && l.generation == generation) s->connected(l);
                    },
                    [weak, &l, generation](const std::string& why) {
                        if (auto s = weak.lock(); s && l.generation == generation) s->lost(l, why);
                    }};
                l.conn = redis::connection::open(self->strand_, found.begin()->endpoint().address().to_string(),
                                                 self->options_.port, std::move(h), error);
                if (!l.conn) self->lost(l, error);
            }));
    }

    void connected(link& l) {
        if (l.failures > 0)
            log_.info("chat bus: ", l.role, " connection to Redis at ", address(), " is back");
        else
            log_.debug("chat bus: ", l.role, " connection to Redis at ", address(), " up");
        l.failures = 0;
        l.backoff = options_.reconnect_min;
        if (auto* m = options_.metrics) m->connected.set(subscriber_.up() && commands_.up());
        if (&l == &subscriber_) {
            std::weak_ptr<impl> weak = shared_from_this();
            l.conn->subscribe(channel_, [weak](const redis::reply* r) {
                if (auto s = weak.lock()) s->on_message(r);
            });
        } else {
            if (dropped_ > 0) log_.info("chat bus: ", dropped_, " local events were not shared while Redis was down");
            dropped_ = 0;
            // Redis may have restarted empty, or our names may have expired meanwhile: take them back.
            for (const auto& key : owned_) renew(key);
            for (auto& [key, claim] : std::exchange(waiting_claims_, {}))
                if (!claim->finished) send_claim(key, claim);
        }
    }

    void lost(link& l, const std::string& why) {
        ++l.generation;
        if (auto c = std::exchange(l.conn, nullptr)) c->abandon();
        if (auto* m = options_.metrics) m->connected.set(0);
        if (state_ == state::stopped && !subscriber_.conn && !commands_.conn) stop_timer_.cancel();
        if (state_ != state::running) return;
        if (l.failures++ == 0)
            log_.warn("chat bus: ", l.role, " connection to Redis at ", address(), " failed: ", why,
                      "; local chat goes on, retrying with backoff");
        else
            log_.debug("chat bus: ", l.role, " connection retry failed: ", why);
        l.retry.expires_after(l.backoff);
        l.backoff = std::min(l.backoff * 2, options_.reconnect_max);
        l.retry.async_wait([self = shared_from_this(), &l](boost::system::error_code ec) {
            if (!ec && self->state_ == state::running) self->connect(l);
        });
    }

    void on_message(const redis::reply* r) {
        // ["message", channel, payload] or the ["subscribe", channel, count] confirmation.
        if (r == nullptr || r->type != redis::reply::kind::array || r->elements.size() != 3) return;
        const auto& kind = r->elements[0];
        const auto& data = r->elements[2];
        if (kind.is(redis::reply::kind::string, "subscribe")) {
            log_.debug("chat bus: subscribed to ", channel_);
            return;
        }
        if (!kind.is(redis::reply::kind::string, "message") || data.type != redis::reply::kind::string) return;
        std::string from;
        auto event = decode_event(data.str, from);
        if (!event) {
            log_.warn("chat bus: ignored a malformed event on ", channel_);
            return;
        }
        if (from == node_id_) return;  // our own publication: delivered locally already
        if (deliver_ && state_ == state::running) deliver_(std::move(*event));
    }

    void arm_refresh() {
        refresh_timer_.expires_after(options_.refresh_every);
        refresh_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->state_ != state::running) return;
            if (self->commands_.up())
                for (const auto& key : self->owned_) self->renew(key);
            self->arm_refresh();
        });
    }

    void renew(const std::string& key) {
        std::weak_ptr<impl> weak = shared_from_this();
        commands_.conn->command({"EVAL", renew_script, "1", name_key(key), node_id_, ttl_ms()},
                                [weak, key](const redis::reply* r) {
                                    auto self = weak.lock();
                                    if (!self || !r) return;
                                    if (r->type == redis::reply::kind::integer && r->integer == 0 && self->owned_.erase(key))
                                        self->log_.warn("chat bus: the name '", key, "' of a local user is now held by "
                                                        "another node (taken while the bus was down)");
                                    else if (r->type == redis::reply::kind::error)
                                        self->log_.warn("chat bus: renewing '", key, "': ", r->str);
                                });
    }

    void release_in_redis(const std::string& key) {
        if (commands_.up())
            commands_.conn->command({"EVAL", release_script, "1", name_key(key), node_id_});
    }

    void finish_stop() {
        if (state_ == state::stopped) return;
        state_ = state::stopped;
        for (const auto& key : owned_) release_in_redis(key);
        owned_.clear();
        for (auto& [key, claim] : std::exchange(waiting_claims_, {})) claim->finish(false);
        stop_timer_.cancel();  // the linger of stop(), when the last name went before it ended
        refresh_timer_.cancel();
        resolver_.cancel();
        bool closing = false;
        for (link* l : {&subscriber_, &commands_}) {
            l->retry.cancel();
            auto c = l->conn;
            if (!c) continue;
            // The command connection closes after the DELs and PUBLISHes queued above; its
            // `closed` then comes through lost(). One that closed at once, or was not up, is done.
            c->close();
            if (c->is_connected())
                closing = true;
            else
                l->conn.reset();
        }
        // A Redis that stopped answering must not keep the io_context (the process) running.
        if (closing) {
            stop_timer_.expires_after(options_.stop_linger);
            stop_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
                if (ec) return;
                self->log_.warn("chat bus: Redis did not confirm the last commands; closing anyway");
                for (link* l : {&self->subscriber_, &self->commands_})
                    if (auto c = std::exchange(l->conn, nullptr)) c->abandon();
            });
        }
        log_.debug("chat bus: stopped");
    }

    redis::strand strand_;
    tcp::resolver resolver_;
    redis_bus_options options_;
    logger& log_;
    const std::string node_id_;
    const std::string channel_;
    link subscriber_;
    link commands_;
    asio::steady_timer refresh_timer_;
    asio::steady_timer stop_timer_;
    std::function<void(chat_event)> deliver_;
    std::unordered_set<std::string> owned_;  // name keys this node holds in Redis
    std::vector<std::pair<std::string, std::shared_ptr<claim_state>>> waiting_claims_;  // for a link
    std::size_t dropped_ = 0;               // events not published since the bus went down
    state state_ = state::idle;
};

redis_bus::redis_bus(asio::io_context& io, redis_bus_options options, logger& log)
    : impl_(std::make_shared<impl>(io, std::move(options), log)) {}

redis_bus::~redis_bus() { impl_->abandon(); }

void redis_bus::on_remote_event(std::function<void(chat_event)> deliver) { impl_->set_deliver(std::move(deliver)); }
void redis_bus::start() { impl_->start(); }
void redis_bus::stop() { impl_->stop(); }

namespace {

// Only trivially destructible state crosses the co_await below: GCC 12 destroys some temporaries
// of a co_await expression twice (a lambda capturing the impl's shared_ptr there dropped one
// reference per claim and freed the impl under its users).
struct claim_initiation {
    redis_bus::impl* target;
    const std::string* key;
    template <class Handler> void operator()(Handler handler) const {
        target->claim(*key, asio::any_completion_handler<void(bool)>(std::move(handler)));
    }
};

}  // namespace

asio::awaitable<bool> redis_bus::claim_name(std::string key) {
    // The bus outlives its hub's claims; impl::claim() copies the key and holds the impl itself.
    const bool ok = co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
        claim_initiation{impl_.get(), &key}, asio::use_awaitable);
    co_return ok;
}

void redis_bus::release_name(std::string key) { impl_->release(std::move(key)); }
void redis_bus::publish(const chat_event& event) { impl_->publish(encode_event(impl_->node_id(), event)); }
const std::string& redis_bus::node_id() const { return impl_->node_id(); }

}  // namespace netkit::chat
