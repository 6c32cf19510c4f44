#include <netkit/exec/auth_throttle.hpp>

#include <algorithm>

namespace netkit::exec {

namespace {
asio::ip::address key_of(const asio::ip::address& a) {
    if (a.is_v6() && !a.to_v6().is_v4_mapped()) {
        auto bytes = a.to_v6().to_bytes();
        std::fill(bytes.begin() + 8, bytes.end(), 0);
        return asio::ip::address_v6(bytes);
    }
    if (a.is_v6()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a;
}
}  // namespace

auth_throttle::clock::time_point auth_throttle::answer_time(const asio::ip::address& from, bool accepted) {
    const auto now = clock::now();
    const auto key = key_of(from);
    std::lock_guard lock(mutex_);
    auto it = next_.find(key);
    const auto earliest = it == next_.end() ? now : std::max(now, it->second);
    if (accepted) return earliest;
    const auto answer = earliest + delay_;
    if (it != next_.end()) {
        it->second = answer;
        return answer;
    }
    if (next_.size() >= max_addresses_) {
        std::erase_if(next_, [now](const auto& kv) { return kv.second <= now; });
        if (next_.size() >= max_addresses_)
            next_.erase(std::min_element(next_.begin(), next_.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; }));
    }
    next_.emplace(key, answer);
    return answer;
}

std::size_t auth_throttle::size() const {
    std::lock_guard lock(mutex_);
    return next_.size();
}

}  // namespace netkit::exec
