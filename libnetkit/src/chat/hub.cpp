#include <netkit/chat/hub.hpp>

#include <netkit/chat/names.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/chat/wire.hpp>

#include <boost/container/small_vector.hpp>

#include <utility>

namespace netkit::chat {

hub::hub(asio::any_io_executor executor, bus& events, logger& log, const chat_options& options)
    : bus_(events),
      log_(log),
      announce_limit_(options.announce_limit),
      announce_interval_(options.announce_interval),
      strand_(asio::make_strand(executor)),
      timer_(strand_),
      snapshot_(std::make_shared<const member_list>()) {}

void hub::start() {
    bus_.on_remote_event([this](chat_event event) {
        // Another node checked its own clients, but this node trusts no peer bytes it did not check.
        if (!is_valid_utf8(event.name)) event.name = valid_utf8(event.name);
        if (!is_valid_utf8(event.text)) event.text = valid_utf8(event.text);
        if (event.type == chat_event::kind::message) {
            broadcast(event, nullptr);
            return;
        }
        // A big room's joins come from every node: they count into this node's batch too.
        announcement what;
        {
            std::lock_guard lock(mutex_);
            what = announce_locked(event);
        }
        announce(std::move(what), event);
    });
    bus_.on_name_lost([this](std::string key, asio::any_io_executor where) {
        asio::co_spawn(where, rename_lost(std::move(key)), asio::detached);
    });
    bus_.start();
}

void hub::stop() {
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;  // no interval starts after this, so the timer cannot hold up the exit
    }
    asio::post(strand_, [this] { timer_.cancel(); });
    bus_.stop();
}

asio::awaitable<std::optional<std::string>> hub::claim(std::string name, bool* checked_here_only) {
    if (auto problem = name_problem(name)) co_return problem;
    std::string key = name_key(name);
    {
        std::lock_guard lock(mutex_);
        if (!claimed_.try_emplace(key, name).second) co_return "'" + name + "' is already taken";
    }
    // The key stays claimed here while the other nodes are asked, so two local clients racing
    // for it cannot both get it.
    const auto result = co_await bus_.claim_name(key);
    if (result == claim_result::taken) {
        std::lock_guard lock(mutex_);
        claimed_.erase(key);
        co_return "'" + name + "' is already taken";
    }
    if (checked_here_only) *checked_here_only = result == claim_result::unreachable;
    co_return std::nullopt;
}

void hub::enter(std::shared_ptr<participant> who, const std::string& name) {
    const chat_event event{chat_event::kind::joined, name, {}};
    std::string key = name_key(name);
    participant& newcomer = *who;
    const chat::protocol& p = who->protocol();
    announcement what;
    {
        std::lock_guard lock(mutex_);
        members_.insert_or_assign(std::move(key), member{std::move(who), &p});
        snapshot_stale_ = true;
        what = announce_locked(event);
    }
    // In a big room the newcomer still learns it is in, as the protocols promise.
    if (what.batched) newcomer.deliver(std::make_shared<const std::string>(p.encode(event)));
    announce(std::move(what), event);
    bus_.publish(event);
}

void hub::leave(const participant& who, const std::string& name) {
    if (auto renamed = take_renamed(who); renamed && *renamed != name) return leave(who, *renamed);
    const std::string key = name_key(name);
    const chat_event event{chat_event::kind::left, name, {}};
    bool was_member = false;
    announcement what;
    {
        std::lock_guard lock(mutex_);
        if (auto it = members_.find(key); it != members_.end() && it->second.who.get() == &who) {
            members_.erase(it);
            snapshot_stale_ = true;
            was_member = true;
            what = announce_locked(event);
        }
        claimed_.erase(key);
    }
    bus_.release_name(key);
    if (!was_member) return;
    announce(std::move(what), event);
    bus_.publish(event);
}

hub::announcement hub::announce_locked(const chat_event& event) {
    announcement what;
    if (members_.size() > announce_limit_) {
        (event.type == chat_event::kind::joined ? batch_.joined : batch_.left).push_back(event.name);
        what.batched = true;
        what.start_timer = !timer_running_ && !stopped_;
        if (what.start_timer) timer_running_ = true;
    } else if (!batch_.joined.empty() || !batch_.left.empty()) {
        // Back to single announcements: what was gathered goes out first, so no one sees a leave
        // before the join it follows. The running interval then finds nothing to send.
        what.overdue = std::exchange(batch_, chat_event{chat_event::kind::batch, {}, {}});
    }
    return what;
}

void hub::announce(announcement what, const chat_event& event) {
    if (what.overdue) broadcast(*what.overdue, nullptr);
    if (what.start_timer) start_timer();
    if (!what.batched) broadcast(event, nullptr);
}

void hub::start_timer() {
    asio::post(strand_, [this] {
        {
            // stop() may have come between the decision and now; its cancel() has then run.
            std::lock_guard lock(mutex_);
            if (stopped_) return;
        }
        timer_.expires_after(announce_interval_);
        timer_.async_wait(asio::bind_executor(strand_, [this](boost::system::error_code ec) {
            if (!ec) flush_batch();
        }));
    });
}

void hub::flush_batch() {
    chat_event due{chat_event::kind::batch, {}, {}};
    {
        std::lock_guard lock(mutex_);
        timer_running_ = false;
        std::swap(due, batch_);
    }
    // Nothing when nobody came or went (the room may have shrunk and sent the batch early).
    if (!due.joined.empty() || !due.left.empty()) broadcast(due, nullptr);
}

std::vector<std::shared_ptr<participant>> hub::say(const participant& from, const std::string& name,
                                                   std::string_view text) {
    chat_event event{chat_event::kind::message, name, {}};
    event.text = is_valid_utf8(text) ? std::string(text) : valid_utf8(text);
    auto congested = broadcast(event, &from);
    bus_.publish(event);
    return congested;
}

std::vector<std::shared_ptr<participant>> hub::say(const participant& from, const std::string& name,
                                                   std::span<const std::string> texts) {
    if (texts.empty()) return {};
    std::vector<chat_event> events;
    events.reserve(texts.size());
    for (const auto& text : texts)
        events.push_back(chat_event{chat_event::kind::message, name, is_valid_utf8(text) ? text : valid_utf8(text)});
    auto congested = broadcast(events, &from);
    for (const auto& event : events) bus_.publish(event);
    return congested;
}

asio::awaitable<void> hub::rename_lost(std::string key) {
    std::shared_ptr<participant> who;
    std::string old_name;
    {
        std::lock_guard lock(mutex_);
        const auto claim = claimed_.find(key);
        const auto m = members_.find(key);
        if (claim == claimed_.end() || m == members_.end()) co_return;  // gone already
        who = m->second.who;
        old_name = claim->second;
    }
    // Each candidate is claimed like a new user's name, so the rename cannot clash either.
    std::optional<std::string> new_name;
    for (unsigned n = 2; n <= max_rename_suffix && !new_name; ++n) {
        std::string candidate = suffixed_name(old_name, n);
        if (name_problem(candidate)) continue;
        const std::string candidate_key = name_key(candidate);
        {
            std::lock_guard lock(mutex_);
            if (!claimed_.try_emplace(candidate_key, candidate).second) continue;
        }
        if (co_await bus_.claim_name(candidate_key) != claim_result::taken) {
            new_name = std::move(candidate);
        } else {
            std::lock_guard lock(mutex_);
            claimed_.erase(candidate_key);
        }
    }
    if (!new_name) {
        log_.warn("chat: no free name to rename '", old_name, "' to; two users share it");
        co_return;
    }
    const std::string new_key = name_key(*new_name);
    bool still_here = false;
    {
        std::lock_guard lock(mutex_);
        if (const auto m = members_.find(key); m != members_.end() && m->second.who == who) {
            members_.insert_or_assign(new_key, m->second);
            members_.erase(key);
            claimed_.erase(key);
            renamed_[who.get()] = *new_name;
            snapshot_stale_ = true;
            still_here = true;
        } else {
            claimed_.erase(new_key);  // left while the new name was claimed
        }
    }
    if (!still_here) {
        bus_.release_name(new_key);
        co_return;
    }
    log_.info("chat: '", old_name, "' renamed '", *new_name, "' (an earlier claim on another node won)");
    who->renamed(*new_name, who->protocol().renamed(old_name, *new_name));
    for (const chat_event& event : {chat_event{chat_event::kind::left, old_name, {}},
                                    chat_event{chat_event::kind::joined, *new_name, {}}}) {
        announcement what;  // in a big room, into the batch like any leave and join
        {
            std::lock_guard lock(mutex_);
            what = announce_locked(event);
        }
        announce(std::move(what), event);
        bus_.publish(event);
    }
}

std::optional<std::string> hub::take_renamed(const participant& who) {
    std::lock_guard lock(mutex_);
    const auto it = renamed_.find(&who);
    if (it == renamed_.end()) return std::nullopt;
    std::string name = std::move(it->second);
    renamed_.erase(it);
    return name;
}

std::size_t hub::size() const {
    std::lock_guard lock(mutex_);
    return members_.size();
}

std::vector<std::string> hub::member_names(std::size_t limit) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    names.reserve(std::min(limit, members_.size()));
    for (const auto& entry : members_) {
        if (names.size() >= limit) break;
        const auto claimed = claimed_.find(entry.first);
        if (claimed != claimed_.end()) names.push_back(claimed->second);
    }
    return names;
}

std::shared_ptr<const hub::member_list> hub::members() {
    std::lock_guard lock(mutex_);
    if (snapshot_stale_) {
        auto list = std::make_shared<member_list>();
        list->reserve(members_.size());
        for (const auto& [key, m] : members_) list->push_back(m);
        snapshot_ = std::move(list);
        snapshot_stale_ = false;
    }
    return snapshot_;
}

std::vector<std::shared_ptr<participant>> hub::broadcast(std::span<const chat_event> events,
                                                         const participant* sender) {
    const auto members = this->members();
    // One encoding per protocol, made only if someone speaks it, shared by all its recipients:
    // the events as one buffer, or one buffer each for a protocol that does not join bursts.
    struct encoding {
        const chat::protocol* protocol;
        boost::container::small_vector<shared_bytes, 1> buffers;
    };
    boost::container::small_vector<encoding, 4> encodings;  // grows with the protocols spoken
    const auto encoded = [&](const chat::protocol& p) -> const encoding& {
        for (const auto& e : encodings)
            if (e.protocol == &p) return e;
        encoding& e = encodings.emplace_back(encoding{&p, {}});
        if (p.joins_bursts() || events.size() == 1) {
            std::string bytes = p.encode(events.front());
            for (const auto& event : events.subspan(1)) bytes += p.encode(event);
            e.buffers.push_back(std::make_shared<const std::string>(std::move(bytes)));
        } else {
            for (const auto& event : events) e.buffers.push_back(std::make_shared<const std::string>(p.encode(event)));
        }
        return e;
    };
    std::vector<std::shared_ptr<participant>> congested;
    for (const auto& m : *members) {
        if (m.who.get() == sender && !m.protocol->echoes_sender()) continue;
        bool full = false;
        for (const auto& bytes : encoded(*m.protocol).buffers) full = m.who->deliver(bytes) || full;
        if (full) congested.push_back(m.who);
    }
    return congested;
}

}  // namespace netkit::chat
