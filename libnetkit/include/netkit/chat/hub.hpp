// The chat room shared by every session of every protocol: who is in, under which name, and
// broadcasting events to them. Other nodes are reached through a bus (chat/bus.hpp).
#pragma once

#include <netkit/asio.hpp>
#include <netkit/chat/bus.hpp>
#include <netkit/chat/options.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace netkit::chat {

class hub {
public:
    // `events` carries events to and from other nodes (in_process_bus when there are none); it
    // must outlive the hub, as must `log`. `executor` runs the big room's announcement timer (on
    // a strand of its own); the hub must be destroyed before its io_context. Of `options` the hub
    // uses announce_limit and announce_interval.
    hub(asio::any_io_executor executor, bus& events, logger& log, const chat_options& options = {});
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;

    void start();  // subscribes to the bus's remote events and starts the bus
    void stop();   // stops the bus (which releases this node's names where it can) and the timer

    // Reserves `name` when it is valid and free here and on every node. Returns why not, or
    // nullopt: the caller then owns the name and must enter() or release() it. When the other
    // nodes cannot be reached, the name is checked here only (`*checked_here_only` is set, if
    // given); should another node's earlier claim win once they are back, the user is renamed.
    asio::awaitable<std::optional<std::string>> claim(std::string name, bool* checked_here_only = nullptr);
    // Adds `who` under its claimed name and tells the other nodes. Up to announce_limit members,
    // "<name> joined the chat" goes to everyone at once (the newcomer included); above it the
    // newcomer alone gets it and the join counts into the next batch notice.
    void enter(std::shared_ptr<participant> who, const std::string& name);
    // Removes `who`, frees the name and announces "<name> left the chat" (at once or in the next
    // batch, as for a join). Safe to call after a claim without enter (the name is just freed,
    // silently).
    void leave(const participant& who, const std::string& name);

    // A message from a local client: to every local client (the sender too if its protocol
    // echoes_sender()) and to the other nodes. Invalid UTF-8 is replaced.
    // Returns the recipients now congested, whom the sender should wait for (the flood rule).
    std::vector<std::shared_ptr<participant>> say(const participant& from, const std::string& name,
                                                  std::string_view text);
    // Several messages that one read from `from` held, in order: each recipient whose protocol
    // joins_bursts() gets them as one shared buffer, the others one by one. Otherwise as say().
    std::vector<std::shared_ptr<participant>> say(const participant& from, const std::string& name,
                                                  std::span<const std::string> texts);

    std::size_t size() const;
    // The names of this node's members (as they spelled them), at most `limit`, in no particular order.
    std::vector<std::string> member_names(std::size_t limit = SIZE_MAX) const;
    // Above this many members joins and leaves are announced in batches.
    std::size_t announce_limit() const { return announce_limit_; }

private:
    struct member {
        std::shared_ptr<participant> who;
        const chat::protocol* protocol;
    };
    using member_list = std::vector<member>;

    // Encodes `events` at most once per protocol and hands the shared bytes to every local member
    // (to `sender` only if its protocol echoes_sender()). The lock is held only to take the current
    // member list. Returns the recipients that are congested after it.
    std::vector<std::shared_ptr<participant>> broadcast(std::span<const chat_event> events, const participant* sender);
    std::vector<std::shared_ptr<participant>> broadcast(const chat_event& event, const participant* sender) {
        return broadcast(std::span<const chat_event>(&event, 1), sender);
    }
    // The member list for a broadcast, rebuilt first if a join or leave changed it: at most once
    // per broadcast, so a storm of joins into a big room (which broadcasts nothing) costs O(1) each.
    std::shared_ptr<const member_list> members();

    // What to do with a join or leave (local or from another node), decided under the lock.
    struct announcement {
        bool batched = false;              // counted into the batch: do not broadcast it now
        bool start_timer = false;          // the first of a batch: start the interval
        std::optional<chat_event> overdue;  // the room shrank to the limit: the batch goes out first
    };
    announcement announce_locked(const chat_event& event);
    // Carries out what announce_locked decided, outside the lock.
    void announce(announcement what, const chat_event& event);
    void start_timer();   // the batch goes out announce_interval from now
    void flush_batch();   // on strand_, when the interval is over
    // The bus gave up `key` to an earlier claim on another node: its user becomes "name~2" (or the
    // next free suffix), is told, and everyone sees it leave and join under the new name.
    asio::awaitable<void> rename_lost(std::string key);
    // The name `who` was renamed to, once, for its leave() that may still give the old one.
    std::optional<std::string> take_renamed(const participant& who);

    bus& bus_;
    logger& log_;
    const std::size_t announce_limit_;
    const std::chrono::milliseconds announce_interval_;
    asio::strand<asio::any_io_executor> strand_;
    asio::steady_timer timer_;  // touched only on strand_
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::string> claimed_;  // keys claimed here, entered or not: name
    std::unordered_map<std::string, member> members_;       // by name key
    std::shared_ptr<const member_list> snapshot_;            // read by broadcasts
    bool snapshot_stale_ = false;                            // members_ changed since it was built
    chat_event batch_{chat_event::kind::batch, {}, {}};     // joins and leaves not yet announced
    bool timer_running_ = false;                             // a batch notice is due
    bool stopped_ = false;
    std::unordered_map<const participant*, std::string> renamed_;  // renamed, until they leave
};

}  // namespace netkit::chat
