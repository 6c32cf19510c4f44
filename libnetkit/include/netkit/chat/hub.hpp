// The chat room shared by every session of both protocols: who is in, under which name, and
// broadcasting events to them. Other nodes are reached through a bus (chat/bus.hpp).
#pragma once

#include <netkit/asio.hpp>
#include <netkit/chat/bus.hpp>
#include <netkit/chat/participant.hpp>
#include <netkit/log.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace netkit::chat {

class hub {
public:
    // `events` carries events to and from other nodes (in_process_bus when there are none); it
    // must outlive the hub, as must `log`.
    hub(bus& events, logger& log);
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;

    void start();  // subscribes to the bus's remote events and starts the bus
    void stop();   // stops the bus (which releases this node's names where it can)

    // Reserves `name` when it is valid and free here and on every node. Returns why not, or
    // nullopt: the caller then owns the name and must enter() or release() it. When the other
    // nodes cannot be reached, the name is checked here only (`*checked_here_only` is set, if
    // given); should another node's earlier claim win once they are back, the user is renamed.
    asio::awaitable<std::optional<std::string>> claim(std::string name, bool* checked_here_only = nullptr);
    // Adds `who` under its claimed name and announces "<name> joined the chat" to everyone (the
    // newcomer included) and to the other nodes.
    void enter(std::shared_ptr<participant> who, const std::string& name);
    // Removes `who`, frees the name and announces "<name> left the chat". Safe to call after a
    // claim without enter (the name is just freed, silently).
    void leave(const participant& who, const std::string& name);

    // A message from a local client: to every local client (except a header-protocol sender, who
    // does not get its own message back) and to the other nodes. Invalid UTF-8 is replaced.
    // Returns the recipients now congested, whom the sender should wait for (the flood rule).
    std::vector<std::shared_ptr<participant>> say(const participant& from, const std::string& name,
                                                  std::string_view text);

    std::size_t size() const;

private:
    struct member {
        std::shared_ptr<participant> who;
        chat::protocol protocol;
    };
    using member_list = std::vector<member>;

    // Encodes `event` at most once per protocol and hands the shared bytes to every local member
    // but `skip`. The lock is held only to take the current member list.
    // Returns the recipients that are congested after it.
    std::vector<std::shared_ptr<participant>> broadcast(const chat_event& event, const participant* skip_header_sender);
    void rebuild_locked();
    // The bus gave up `key` to an earlier claim on another node: its user becomes "name~2" (or the
    // next free suffix), is told, and everyone sees it leave and join under the new name.
    asio::awaitable<void> rename_lost(std::string key);
    // The name `who` was renamed to, once, for its leave() that may still give the old one.
    std::optional<std::string> take_renamed(const participant& who);

    bus& bus_;
    logger& log_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::string> claimed_;  // keys claimed here, entered or not: name
    std::unordered_map<std::string, member> members_;       // by name key
    std::shared_ptr<const member_list> snapshot_;            // rebuilt on enter/leave, read by broadcasts
    std::unordered_map<const participant*, std::string> renamed_;  // renamed, until they leave
};

}  // namespace netkit::chat
