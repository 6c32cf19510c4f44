#include <netkit/chat/hub.hpp>

#include <netkit/chat/names.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/chat/wire.hpp>

#include <array>

namespace netkit::chat {

hub::hub(bus& events, logger& log)
    : bus_(events), log_(log), snapshot_(std::make_shared<const member_list>()) {}

void hub::start() {
    bus_.on_remote_event([this](chat_event event) {
        // Another node checked its own clients, but this node trusts no peer bytes it did not check.
        if (!is_valid_utf8(event.name)) event.name = valid_utf8(event.name);
        if (!is_valid_utf8(event.text)) event.text = valid_utf8(event.text);
        broadcast(event, nullptr);
    });
    bus_.on_name_lost([this](std::string key, asio::any_io_executor where) {
        asio::co_spawn(where, rename_lost(std::move(key)), asio::detached);
    });
    bus_.start();
}

void hub::stop() { bus_.stop(); }

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
    {
        std::lock_guard lock(mutex_);
        const auto p = who->protocol();
        members_.insert_or_assign(name_key(name), member{std::move(who), p});
        rebuild_locked();
    }
    const chat_event event{chat_event::kind::joined, name, {}};
    broadcast(event, nullptr);
    bus_.publish(event);
}

void hub::leave(const participant& who, const std::string& name) {
    if (auto renamed = take_renamed(who); renamed && *renamed != name) return leave(who, *renamed);
    const std::string key = name_key(name);
    bool was_member = false;
    {
        std::lock_guard lock(mutex_);
        if (auto it = members_.find(key); it != members_.end() && it->second.who.get() == &who) {
            members_.erase(it);
            rebuild_locked();
            was_member = true;
        }
        claimed_.erase(key);
    }
    bus_.release_name(key);
    if (!was_member) return;
    const chat_event event{chat_event::kind::left, name, {}};
    broadcast(event, nullptr);
    bus_.publish(event);
}

std::vector<std::shared_ptr<participant>> hub::say(const participant& from, const std::string& name,
                                                   std::string_view text) {
    chat_event event{chat_event::kind::message, name, {}};
    event.text = is_valid_utf8(text) ? std::string(text) : valid_utf8(text);
    auto congested = broadcast(event, &from);
    bus_.publish(event);
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
            rebuild_locked();
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
    who->renamed(*new_name, renamed_text(old_name, *new_name));
    for (const chat_event& event : {chat_event{chat_event::kind::left, old_name, {}},
                                    chat_event{chat_event::kind::joined, *new_name, {}}}) {
        broadcast(event, nullptr);
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

void hub::rebuild_locked() {
    auto list = std::make_shared<member_list>();
    list->reserve(members_.size());
    for (const auto& [key, m] : members_) list->push_back(m);
    snapshot_ = std::move(list);
}

std::vector<std::shared_ptr<participant>> hub::broadcast(const chat_event& event,
                                                         const participant* skip_header_sender) {
    std::shared_ptr<const member_list> members;
    {
        std::lock_guard lock(mutex_);
        members = snapshot_;
    }
    // One encoding per protocol, made only if someone speaks it, shared by all its recipients.
    std::array<shared_bytes, 3> encoded;
    std::vector<std::shared_ptr<participant>> congested;
    for (const auto& m : *members) {
        // Lesson 003's sender does not get its own message back; the other protocols echo it.
        if (m.protocol == protocol::header && m.who.get() == skip_header_sender) continue;
        auto& bytes = encoded[static_cast<std::size_t>(m.protocol)];
        if (!bytes) bytes = std::make_shared<const std::string>(encode(m.protocol, event));
        if (m.who->deliver(bytes)) congested.push_back(m.who);
    }
    return congested;
}

}  // namespace netkit::chat
