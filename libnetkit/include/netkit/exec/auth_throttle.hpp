// Makes token guessing cost time per client address, not per connection: the AUTH answers for one
// address are spaced out, and each wrong token pushes that address's next answer `delay` later,
// so N parallel connections from one address guess no faster than one.
#pragma once

#include <netkit/asio.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>

namespace netkit::exec {

class auth_throttle {
public:
    using clock = std::chrono::steady_clock;

    // At most `max_addresses` addresses are remembered; when full, the one whose penalty ends
    // first is forgotten (an expired penalty costs nothing to forget).
    auth_throttle(std::chrono::milliseconds delay, std::size_t max_addresses = 4096)
        : delay_(delay), max_addresses_(max_addresses == 0 ? 1 : max_addresses) {}

    // When the answer to an AUTH from `from` may be sent. A wrong token (`accepted` false) gets
    // `delay` after every earlier answer of that address and delays the later ones as much.
    // IPv6 addresses count per /64, as a host usually owns the whole prefix. Thread-safe.
    clock::time_point answer_time(const asio::ip::address& from, bool accepted);

    std::size_t size() const;

private:
    const std::chrono::milliseconds delay_;
    const std::size_t max_addresses_;
    mutable std::mutex mutex_;  // guards next_
    std::map<asio::ip::address, clock::time_point> next_;  // earliest next answer per address
};

}  // namespace netkit::exec
