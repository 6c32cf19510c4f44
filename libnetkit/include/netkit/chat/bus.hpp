// What a chat hub shares with the other nodes of the same chat. The hub always delivers to its own
// clients itself; the bus carries events to and from other nodes and keeps names unique across
// them. in_process_bus (one node, nothing to share) and redis_bus implement it.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/chat/chat_event.hpp>

#include <functional>
#include <string>

namespace netkit::chat {

// What the bus can say about a name: reserved on every node, held by another node, or not known
// because the other nodes cannot be reached now (the hub then checks its own clients only).
enum class claim_result { claimed, taken, unreachable };

class bus {
public:
    virtual ~bus() = default;

    // Called once by the hub before start(): where events from other nodes go. The callback may be
    // invoked on any thread of the io_context.
    virtual void on_remote_event(std::function<void(chat_event)> deliver) = 0;

    // Called once by the hub before start(): a name this node holds turned out to belong to an
    // earlier claim on another node (claims made while the nodes were split, seen once the bus is
    // back). The bus has already given the name up; the hub renames its user, running any
    // coroutine that needs on `where`. Never called by a bus that cannot lose names.
    virtual void on_name_lost(std::function<void(std::string key, asio::any_io_executor where)>) {}

    virtual void start() = 0;
    virtual void stop() = 0;  // releases this node's names where it can

    // Reserves `key` (names.hpp's name_key: the name's confusable skeleton) across every node.
    // The hub has already checked its own clients. On `unreachable` the bus still keeps the key as
    // this node's, and settles it with the other nodes once they can be reached again (a clash
    // then ends in on_name_lost for one of the two nodes).
    virtual asio::awaitable<claim_result> claim_name(std::string key) = 0;
    virtual void release_name(std::string key) = 0;

    // Sends an event of a local client to the other nodes (never back to this one).
    virtual void publish(const chat_event& event) = 0;
};

// One node on its own: every name the hub accepts is free, and there is nobody to publish to.
class in_process_bus final : public bus {
public:
    void on_remote_event(std::function<void(chat_event)>) override {}
    void start() override {}
    void stop() override {}
    asio::awaitable<claim_result> claim_name(std::string) override { co_return claim_result::claimed; }
    void release_name(std::string) override {}
    void publish(const chat_event&) override {}
};

}  // namespace netkit::chat
