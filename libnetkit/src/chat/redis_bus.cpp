#include <netkit/chat/redis_bus.hpp>

#include <netkit/redis/link.hpp>
#include <netkit/redis/url.hpp>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

namespace netkit::chat {

namespace {

// A name's lease value says when it was claimed and by whom: "<16-digit µs since the epoch>:<node
// id>". Claims made through Redis take Redis's own clock (TIME), so the node clocks do not matter
// for them; a claim made while Redis was unreachable takes the node's clock.
//
// Claims a free name: the lease value, or nil when the key is held.
constexpr const char* claim_script =
    "if redis.call('EXISTS', KEYS[1]) == 1 then return false end "
    "local t = redis.call('TIME') "
    "local v = string.format('%010d%06d:%s', t[1], t[2], ARGV[1]) "
    "redis.call('SET', KEYS[1], v, 'PX', ARGV[2]) "
    "return v";
// Renews a name this node holds, takes it back if it vanished (Redis restarted, or it expired
// while the bus was down), and settles a clash after a split: the earlier claim (time, then node
// id) keeps the name. 1: ours; 0: another node's earlier claim holds it; a string: we took it over
// from that (later) lease, whose node must rename its user. A value that is not a lease loses.
constexpr const char* reclaim_script =
    "local function earlier(a, b) "
    "  local ta, tb = tonumber(string.sub(a, 1, 16)), tonumber(string.sub(b, 1, 16)) "
    "  if ta == nil or tb == nil then return tb == nil end "
    "  if ta ~= tb then return ta < tb end "
    "  return a < b "
    "end "
    "local v = redis.call('GET', KEYS[1]) "
    "if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end "
    "if v and not earlier(ARGV[1], v) then return 0 end "
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) "
    "if v then return v end "
    "return 1";
// Deletes a name only if this node still holds it (with this lease).
constexpr const char* release_script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

std::string random_node_id() {
    std::random_device rd;
    std::uniform_int_distribution<int> hex(0, 15);
    std::string id(16, '0');
    for (auto& c : id) c = "0123456789abcdef"[hex(rd)];
    return id;
}

}  // namespace

std::optional<redis_bus_options> parse_redis_url(std::string_view url, std::string& error) {
    const auto parsed = redis::parse_url(url, error);
    if (!parsed) return std::nullopt;
    redis_bus_options o;
    o.host = parsed->host;
    o.port = parsed->port;
    // The path names the chat: its channel and key prefix.
    const std::string& prefix = parsed->path;
    if (!prefix.empty()) {
        const bool ok = prefix.size() <= 100 && std::all_of(prefix.begin(), prefix.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                   c == '_' || c == '.' || c == ':';
        });
        if (!ok) {
            error = "the channel prefix may hold up to 100 of A-Z a-z 0-9 - _ . : (got '" + prefix + "')";
            return std::nullopt;
        }
        o.prefix = prefix;
    }
    return o;
}

namespace {

// The node that wrote a lease value: what follows its ':'.
std::string lease_holder(std::string_view lease) {
    const auto colon = lease.rfind(':');
    return std::string(colon == std::string_view::npos ? std::string_view() : lease.substr(colon + 1));
}

}  // namespace

// All state lives on one strand; public entry points post to it.
class redis_bus::impl : public std::enable_shared_from_this<impl> {
public:
    impl(asio::io_context& io, redis_bus_options options, logger& log)
        : strand_(asio::make_strand(io)), options_(std::move(options)), log_(log),
          node_id_(random_node_id()), channel_(options_.prefix + ":events"),
          refresh_timer_(strand_), stop_timer_(strand_) {}

    enum class state { idle, running, stopping, stopped };

    // A claim answered by Redis or by the timeout, whichever comes first.
    struct claim_state {
        asio::any_completion_handler<void(claim_result)> handler;
        asio::steady_timer timer;
        bool finished = false;
        void finish(claim_result result) {
            if (finished) return;
            finished = true;
            timer.cancel();
            auto h = std::move(handler);
            // Resumes the claimer on its own executor (its session's strand), never on ours.
            auto ex = asio::get_associated_executor(h);
            asio::dispatch(asio::bind_executor(ex, [h = std::move(h), result]() mutable { std::move(h)(result); }));
        }
    };

    void set_deliver(std::function<void(chat_event)> deliver) {
        asio::post(strand_, [self = shared_from_this(), d = std::move(deliver)]() mutable {
            self->deliver_ = std::move(d);
        });
    }

    void set_lost(std::function<void(std::string, asio::any_io_executor)> lost) {
        asio::post(strand_, [self = shared_from_this(), l = std::move(lost)]() mutable {
            self->lost_ = std::move(l);
        });
    }

    void start() {
        asio::post(strand_, [self = shared_from_this()] {
            if (self->state_ != state::idle) return;
            self->state_ = state::running;
            const redis::link_options where{self->options_.host, self->options_.port, self->options_.reconnect_min,
                                            self->options_.reconnect_max};
            std::weak_ptr<impl> weak = self;
            auto down = [weak] {
                if (auto s = weak.lock()) s->link_down();
            };
            self->subscriber_ = std::make_shared<redis::link>(
                self->strand_, where, "chat bus: subscriber", self->log_,
                redis::link::handlers{[weak](redis::connection& c) {
                                          if (auto s = weak.lock()) s->on_subscriber_up(c);
                                      },
                                      down});
            self->commands_ = std::make_shared<redis::link>(
                self->strand_, where, "chat bus: command", self->log_,
                redis::link::handlers{[weak](redis::connection&) {
                                          if (auto s = weak.lock()) s->on_commands_up();
                                      },
                                      down});
            self->log_.info("chat bus: node ", self->node_id_, " using Redis at ", self->commands_->address(),
                            " channel ", self->channel_);
            self->subscriber_->start();
            self->commands_->start();
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

    void claim(std::string key, asio::any_completion_handler<void(claim_result)> handler) {
        asio::post(strand_, [self = shared_from_this(), key = std::move(key), h = std::move(handler)]() mutable {
            auto claim = std::make_shared<claim_state>(claim_state{std::move(h), asio::steady_timer(self->strand_)});
            if (self->state_ != state::running) return claim->finish(claim_result::unreachable);
            // Known to be down (it failed since it last worked): no point in waiting.
            if (self->commands_->known_down()) return self->provisional(key, *claim);
            // No answer in time (Redis slow, or the first connection not up yet): the bus cannot
            // tell whether another node has the name; it is taken here, and settled later.
            std::weak_ptr<impl> weak = self;
            claim->timer.expires_after(self->options_.claim_timeout);
            claim->timer.async_wait([weak, claim, key](boost::system::error_code ec) {
                if (auto s = weak.lock(); s && !ec) s->provisional(key, *claim);
            });
            if (self->commands_->up()) return self->send_claim(key, claim);
            // Not connected yet (just started): sent as soon as the link is up.
            std::erase_if(self->waiting_claims_, [](const auto& w) { return w.second->finished; });
            self->waiting_claims_.emplace_back(std::move(key), std::move(claim));
        });
    }

    // The name is this node's until the bus can settle it with the others (reclaim on reconnect).
    void provisional(const std::string& key, claim_state& claim) {
        if (claim.finished) return;
        if (state_ == state::running) owned_.try_emplace(key, lease_at(std::chrono::system_clock::now()));
        claim.finish(claim_result::unreachable);
    }

    void send_claim(const std::string& key, const std::shared_ptr<claim_state>& claim) {
        std::weak_ptr<impl> weak = shared_from_this();
        const bool sent = commands_->conn().command(
            {"EVAL", claim_script, "1", name_key(key), node_id_, ttl_ms()}, [weak, claim, key](const redis::reply* r) {
                auto self = weak.lock();
                if (!self) return claim->finish(claim_result::unreachable);
                if (!r || r->type == redis::reply::kind::error) {
                    if (r) self->log_.warn("chat bus: claiming '", key, "': ", r->str);
                    return self->provisional(key, *claim);  // no answer: as if unreachable
                }
                const bool running = self->state_ == state::running;
                if (r->type == redis::reply::kind::string) {
                    if (!claim->finished && running) {
                        self->owned_[key] = r->str;
                        return claim->finish(claim_result::claimed);
                    }
                    // Too late: the claim was taken here meanwhile (then Redis's lease replaces the
                    // provisional one), or nobody wants it any more.
                    if (auto it = self->owned_.find(key); it != self->owned_.end() && running)
                        it->second = r->str;
                    else
                        self->release_in_redis(key, r->str);
                    return claim->finish(claim_result::unreachable);
                }
                // Held by another node. A claim taken here meanwhile is settled by the rule now.
                if (claim->finished && self->owned_.contains(key)) self->reclaim(key);
                claim->finish(claim_result::taken);
            });
        if (!sent) provisional(key, *claim);
    }

    void release(std::string key) {
        asio::post(strand_, [self = shared_from_this(), key = std::move(key)] {
            const auto it = self->owned_.find(key);
            if (it == self->owned_.end()) return;
            const std::string lease = std::move(it->second);
            self->owned_.erase(it);
            self->release_in_redis(key, lease);
            if (self->state_ == state::stopping && self->owned_.empty())
                asio::post(self->strand_, [self] { self->finish_stop(); });  // after queued publishes
        });
    }

    void publish(std::string payload) {
        asio::post(strand_, [self = shared_from_this(), payload = std::move(payload)] {
            if (self->state_ != state::running && self->state_ != state::stopping) return;
            if (!self->commands_up() || self->commands_->conn().pending() >= self->options_.max_pending ||
                !self->commands_->conn().command({"PUBLISH", self->channel_, payload})) {
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
        for (const auto& l : {subscriber_, commands_})
            if (l) l->abandon();
    }

    const std::string& node_id() const { return node_id_; }

private:
    bool commands_up() const { return commands_ && commands_->up(); }
    std::string name_key(const std::string& key) const { return options_.prefix + ":name:" + key; }
    std::string ttl_ms() const { return std::to_string(options_.name_ttl.count()); }
    // This node's lease value for a claim made at `t` (the claim script's format).
    std::string lease_at(std::chrono::system_clock::time_point t) const {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
        std::string digits = std::to_string(us);
        return std::string(digits.size() < 16 ? 16 - digits.size() : 0, '0') + digits + ':' + node_id_;
    }

    void on_subscriber_up(redis::connection& c) {
        count_connected();
        std::weak_ptr<impl> weak = shared_from_this();
        c.subscribe(channel_, [weak](const redis::reply* r) {
            if (auto s = weak.lock()) s->on_message(r);
        });
    }

    void on_commands_up() {
        count_connected();
        if (dropped_ > 0) log_.info("chat bus: ", dropped_, " local events were not shared while Redis was down");
        dropped_ = 0;
        // Redis may have restarted empty, or our names may have expired meanwhile: take them back.
        for (const auto& [key, lease] : owned_) reclaim(key);
        for (auto& [key, claim] : std::exchange(waiting_claims_, {}))
            if (!claim->finished) send_claim(key, claim);
    }

    void count_connected() {
        if (auto* m = options_.metrics) m->connected.set(subscriber_->up() && commands_->up());
    }

    void link_down() {
        if (auto* m = options_.metrics) m->connected.set(0);
        // Both connections closed after stop(): the linger of finish_stop() need not wait.
        if (state_ == state::stopped && !subscriber_->has_connection() && !commands_->has_connection())
            stop_timer_.cancel();
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
            if (auto takeover = decode_takeover(data.str, from)) {
                // Only a hint: our claim is checked again by the rule, in Redis.
                if (takeover->holder == node_id_ && state_ == state::running && commands_up() &&
                    owned_.contains(takeover->key))
                    reclaim(takeover->key);
                return;
            }
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
            if (self->commands_up())
                for (const auto& [key, lease] : self->owned_) self->reclaim(key);
            self->arm_refresh();
        });
    }

    // Renews a name this node holds, or settles it with another node's claim (reclaim_script).
    void reclaim(const std::string& key) {
        const auto it = owned_.find(key);
        if (it == owned_.end() || !commands_up()) return;
        std::weak_ptr<impl> weak = shared_from_this();
        commands_->conn().command(
            {"EVAL", reclaim_script, "1", name_key(key), it->second, ttl_ms()},
            [weak, key, lease = it->second](const redis::reply* r) {
                auto self = weak.lock();
                if (!self || !r) return;
                if (r->type == redis::reply::kind::error) return self->log_.warn("chat bus: renewing '", key, "': ", r->str);
                if (r->type == redis::reply::kind::string) {
                    self->log_.info("chat bus: the name '", key, "' was claimed here first; its other holder renames");
                    self->publish(encode_takeover(self->node_id_, {key, lease_holder(r->str)}));
                    return;
                }
                if (r->type != redis::reply::kind::integer || r->integer != 0) return;
                // Still the claim that lost (not one released and made again since)?
                const auto mine = self->owned_.find(key);
                if (mine == self->owned_.end() || mine->second != lease) return;
                self->owned_.erase(mine);
                self->log_.warn("chat bus: the name '", key, "' of a local user was claimed earlier on another "
                                "node (while the nodes were split); renaming the local user");
                if (self->lost_ && self->state_ == state::running) self->lost_(key, self->strand_.get_inner_executor());
            });
    }

    void release_in_redis(const std::string& key, const std::string& lease) {
        if (commands_up()) commands_->conn().command({"EVAL", release_script, "1", name_key(key), lease});
    }

    void finish_stop() {
        if (state_ == state::stopped) return;
        state_ = state::stopped;
        for (const auto& [key, lease] : owned_) release_in_redis(key, lease);
        owned_.clear();
        for (auto& [key, claim] : std::exchange(waiting_claims_, {})) claim->finish(claim_result::unreachable);
        stop_timer_.cancel();  // the linger of stop(), when the last name went before it ended
        refresh_timer_.cancel();
        bool closing = false;
        for (const auto& l : {subscriber_, commands_}) {
            // The command connection closes after the DELs and PUBLISHes queued above; then
            // link_down(). One that closed at once, or was not up, is done.
            l->close();
            closing = closing || l->has_connection();
        }
        // A Redis that stopped answering must not keep the io_context (the process) running.
        if (closing) {
            stop_timer_.expires_after(options_.stop_linger);
            stop_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
                if (ec) return;
                self->log_.warn("chat bus: Redis did not confirm the last commands; closing anyway");
                for (const auto& l : {self->subscriber_, self->commands_}) l->abandon();
            });
        }
        log_.debug("chat bus: stopped");
    }

    redis::strand strand_;
    redis_bus_options options_;
    logger& log_;
    const std::string node_id_;
    const std::string channel_;
    std::shared_ptr<redis::link> subscriber_;  // SUBSCRIBEd to the channel (made by start())
    std::shared_ptr<redis::link> commands_;    // PUBLISH and names
    asio::steady_timer refresh_timer_;
    asio::steady_timer stop_timer_;
    std::function<void(chat_event)> deliver_;
    std::function<void(std::string, asio::any_io_executor)> lost_;
    std::unordered_map<std::string, std::string> owned_;  // name keys this node holds, with their leases
    std::vector<std::pair<std::string, std::shared_ptr<claim_state>>> waiting_claims_;  // for a link
    std::size_t dropped_ = 0;               // events not published since the bus went down
    state state_ = state::idle;
};

redis_bus::redis_bus(asio::io_context& io, redis_bus_options options, logger& log)
    : impl_(std::make_shared<impl>(io, std::move(options), log)) {}

redis_bus::~redis_bus() { impl_->abandon(); }

void redis_bus::on_remote_event(std::function<void(chat_event)> deliver) { impl_->set_deliver(std::move(deliver)); }
void redis_bus::on_name_lost(std::function<void(std::string, asio::any_io_executor)> lost) {
    impl_->set_lost(std::move(lost));
}
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
        target->claim(*key, asio::any_completion_handler<void(claim_result)>(std::move(handler)));
    }
};

}  // namespace

asio::awaitable<claim_result> redis_bus::claim_name(std::string key) {
    // The bus outlives its hub's claims; impl::claim() copies the key and holds the impl itself.
    const claim_result result = co_await asio::async_initiate<decltype(asio::use_awaitable), void(claim_result)>(
        claim_initiation{impl_.get(), &key}, asio::use_awaitable);
    co_return result;
}

void redis_bus::release_name(std::string key) { impl_->release(std::move(key)); }
void redis_bus::publish(const chat_event& event) { impl_->publish(encode_event(impl_->node_id(), event)); }
const std::string& redis_bus::node_id() const { return impl_->node_id(); }

}  // namespace netkit::chat
