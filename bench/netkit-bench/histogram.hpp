// A latency histogram in fixed memory: log-linear buckets as in HdrHistogram. Values below 128 ns
// get a bucket each; above, every power of two is split into 64 buckets, so any recorded value is
// known to within 1/64 (1.6%). Counts are atomic, so connections on several threads share one.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace netkit::bench {

class histogram {
public:
    static constexpr unsigned sub_bits = 7;                  // 128 linear buckets at the bottom
    static constexpr std::uint64_t sub_count = 1u << sub_bits;
    static constexpr std::uint64_t half = sub_count / 2;
    static constexpr unsigned max_shift = 40;                // up to ~2^47 ns (about 39 hours)
    static constexpr std::size_t bucket_count = sub_count + max_shift * half;

    void record(std::uint64_t ns) {
        counts_[index_of(ns)].fetch_add(1, std::memory_order_relaxed);
    }

    std::uint64_t total() const {
        std::uint64_t n = 0;
        for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
        return n;
    }

    // The value at quantile q (0..1), as the upper edge of its bucket; 0 when empty.
    std::uint64_t quantile(double q) const {
        const std::uint64_t n = total();
        if (n == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(n));
        if (rank >= n) rank = n - 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts_[i].load(std::memory_order_relaxed);
            if (seen > rank) return upper_edge(i);
        }
        return upper_edge(bucket_count - 1);
    }

    std::uint64_t max() const {
        for (std::size_t i = bucket_count; i-- > 0;)
            if (counts_[i].load(std::memory_order_relaxed) != 0) return upper_edge(i);
        return 0;
    }

    static std::size_t index_of(std::uint64_t v) {
        if (v < sub_count) return static_cast<std::size_t>(v);
        unsigned shift = static_cast<unsigned>(std::bit_width(v)) - sub_bits;
        if (shift > max_shift) return bucket_count - 1;
        return static_cast<std::size_t>(sub_count + (shift - 1) * half + ((v >> shift) - half));
    }

    static std::uint64_t upper_edge(std::size_t i) {
        if (i < sub_count) return i;
        const std::uint64_t shift = (i - sub_count) / half + 1;
        const std::uint64_t sub = (i - sub_count) % half + half;
        return ((sub + 1) << shift) - 1;
    }

private:
    std::array<std::atomic<std::uint64_t>, bucket_count> counts_{};
};

}  // namespace netkit::bench
