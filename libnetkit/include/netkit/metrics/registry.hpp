// The counters and gauges a running server publishes on `GET /metrics`, rendered in the Prometheus
// text exposition format. The server owns its registry (no global state); services keep
// references to the metrics they update. Updating never locks: a counter is a set of relaxed
// atomics, one cache line per shard, each thread adding to its own shard, so threads that count
// the same thing at once do not even share a cache line. Only registering and rendering lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace netkit::metrics {

// name="value" pairs distinguishing the series of one metric, e.g. {{"listener", "line"}}.
using label_list = std::vector<std::pair<std::string, std::string>>;

namespace detail {
// The shard of the calling thread: threads get consecutive shards in the order they first count.
std::size_t assign_shard() noexcept;
}  // namespace detail

// A count that only goes up (Prometheus "counter").
class counter {
public:
    static constexpr std::size_t shard_count = 16;

    void add(std::uint64_t n = 1) noexcept {
        shards_[shard_index()].value.fetch_add(n, std::memory_order_relaxed);
    }
    // The sum of every shard: each shard only grows, so successive reads never decrease.
    std::uint64_t value() const noexcept;

private:
    static std::size_t shard_index() noexcept {
        thread_local const std::size_t index = detail::assign_shard();
        return index;
    }
    struct alignas(64) shard {
        std::atomic<std::uint64_t> value{0};
    };
    std::array<shard, shard_count> shards_;
};

// A value that goes up and down (Prometheus "gauge"): connections open, members, processes
// running. Changed per connection or per join, not per message, so one atomic is enough.
class gauge {
public:
    void add(std::int64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    void sub(std::int64_t n = 1) noexcept { value_.fetch_sub(n, std::memory_order_relaxed); }
    void set(std::int64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

// Holds a gauge 1 higher (when there is one) for as long as it lives, so "processes running"
// stays right even when the coroutine holding it is destroyed half-way.
class gauge_hold {
public:
    explicit gauge_hold(gauge* g) noexcept : g_(g) {
        if (g_) g_->add();
    }
    ~gauge_hold() {
        if (g_) g_->sub();
    }
    gauge_hold(const gauge_hold&) = delete;
    gauge_hold& operator=(const gauge_hold&) = delete;

private:
    gauge* g_;
};

class registry {
public:
    registry() = default;
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    // Registers one series and returns it; the reference stays valid as long as the registry.
    // Series of the same name share its help text and type. Throws std::invalid_argument for a
    // malformed metric or label name, a counter whose name does not end in "_total", a name
    // registered before as the other type, or a series (name and labels) registered twice.
    counter& add_counter(const std::string& name, const std::string& help, label_list labels = {});
    gauge& add_gauge(const std::string& name, const std::string& help, label_list labels = {});

    // Every metric in the text exposition format (version 0.0.4): for each name, "# HELP",
    // "# TYPE", then one "name{label="value",...} value" line per series, in registration order.
    std::string render() const;

private:
    enum class kind { counter, gauge };
    struct series {
        label_list labels;
        std::unique_ptr<counter> count;  // one of the two, by the family's kind
        std::unique_ptr<gauge> level;
    };
    struct family {
        std::string name;
        std::string help;
        kind type;
        std::vector<series> members;
    };
    series& add_series(const std::string& name, const std::string& help, kind type, label_list labels);

    mutable std::mutex mutex_;  // guards families_ (registering, rendering); never taken by updates
    std::vector<family> families_;
};

// The content type of render()'s output.
inline constexpr const char* exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace netkit::metrics
