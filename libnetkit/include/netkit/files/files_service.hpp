// The file-copy service (lesson 002 exercise: a backup server): its options, the directory it
// serves and the threads that wait on the disk, shared by all its sessions.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/files/file_store.hpp>
#include <netkit/files/files_metrics.hpp>
#include <netkit/log.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>

namespace netkit::files {

struct files_options {
    std::filesystem::path dir = "netkit-files";   // created if missing
    std::uint64_t max_file_size = 4ULL << 30;     // 4 GiB: larger PUTs are refused before any byte
    // Bytes all uploads in progress may declare together (a PUT over it is refused: "busy"), and
    // bytes of the file system no upload may eat into; see upload_budget.
    std::uint64_t max_in_flight = 4ULL << 30;  // 4 GiB: room for one upload of the largest size
    std::uint64_t min_free = 1ULL << 30;       // 1 GiB
    // A connection that sends no complete first request line within this is closed.
    std::chrono::milliseconds login_timeout = std::chrono::seconds(30);
    // A connection that moves no byte for this long is closed (a stalled upload's temporary file
    // is removed with it).
    std::chrono::milliseconds idle_timeout = std::chrono::minutes(2);
    // Largest receive buffer of an upload: each gets min(its declared size, this), allocated only
    // once its first bytes arrive and freed when it ends (see upload_buffer_size).
    std::size_t buffer_size = 256 * 1024;
    // Threads for the work that blocks on the disk (fsync + rename of uploads, hashing for GET),
    // so the I/O threads keep serving other connections meanwhile.
    unsigned disk_threads = 2;
    // Where to count transfers; outlives the service. nullptr: nothing is counted.
    files_metrics* metrics = nullptr;
};

// The receive buffer an upload of `declared` bytes gets: never more than it can fill.
inline std::size_t upload_buffer_size(std::uint64_t declared, std::size_t limit) {
    return static_cast<std::size_t>(std::min<std::uint64_t>(declared, limit));
}

class files_service {
public:
    // Opens (creating it if needed) the directory and removes stale temporary files.
    // Throws std::system_error naming the directory.
    files_service(files_options options, logger& log);
    // Joins the disk threads: destroy the service after the server that uses it has stopped.
    ~files_service();
    files_service(const files_service&) = delete;
    files_service& operator=(const files_service&) = delete;

    const files_options& options() const { return options_; }
    file_store& store() { return store_; }
    logger& log() { return log_; }
    asio::thread_pool::executor_type disk_executor() { return disk_.get_executor(); }

    // Bytes of upload buffers allocated now, over all sessions (what stalled uploads cost in RAM).
    std::uint64_t upload_buffer_bytes() const { return upload_buffer_bytes_.load(); }
    std::atomic<std::uint64_t>& upload_buffer_counter() { return upload_buffer_bytes_; }

private:
    files_options options_;
    logger& log_;
    file_store store_;
    asio::thread_pool disk_;
    std::atomic<std::uint64_t> upload_buffer_bytes_{0};
};

}  // namespace netkit::files
