// What the hub delivers to: one connected client, whatever its protocol.
#pragma once

#include <netkit/chat/protocol.hpp>
#include <netkit/outbound.hpp>

#include <functional>
#include <memory>
#include <string>

namespace netkit::chat {

// Encoded bytes shared, read-only, by every recipient of the same event.
using netkit::shared_bytes;

class participant {
public:
    virtual ~participant() = default;

    // How the client speaks: the hub encodes each event once per protocol someone speaks.
    virtual const chat::protocol& protocol() const = 0;
    // Queues bytes for the client. Called by the hub from any thread, never blocks and never
    // does I/O itself: the participant's own writer sends them. Returns true when the client is
    // now congested (its queue is above its high-water mark): the sender should wait.
    virtual bool deliver(shared_bytes bytes) = 0;
    // Thread-safe: calls `wake` (from any thread) once the client is no longer congested, or gone.
    virtual void when_drained(std::function<void()> wake) { wake(); }
    // Called by the hub from any thread: the client is now called `new_name` (its old name went
    // to an earlier claim on another node); `why` is the text to tell it (protocol().renamed()).
    virtual void renamed(std::string new_name, std::string why) {
        (void)new_name;
        (void)why;
    }
};

}  // namespace netkit::chat
