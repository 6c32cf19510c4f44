// The file-copy service (lesson 002 exercise: a backup server): its options, the directory it
// serves and the threads that wait on the disk, shared by all its sessions.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/files/file_store.hpp>
#include <netkit/log.hpp>
#include <netkit/tcp_server.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>

namespace netkit {

struct files_options {
    std::filesystem::path dir = "netkit-files";   // created if missing
    std::uint64_t max_file_size = 4ULL << 30;     // 4 GiB: larger PUTs are refused before any byte
    // A connection that moves no byte for this long is closed (a stalled upload's temporary file
    // is removed with it).
    std::chrono::milliseconds idle_timeout = std::chrono::minutes(2);
    std::size_t buffer_size = 256 * 1024;  // per connection, only while it receives a file
    // Threads for the work that blocks on the disk (fsync + rename of uploads, hashing for GET),
    // so the I/O threads keep serving other connections meanwhile.
    unsigned disk_threads = 2;
};

class files_service {
public:
    // Opens (creating it if needed) the directory and removes stale temporary files.
    // Throws std::system_error naming the directory.
    files_service(files_options options, logger& log);
    // Joins the disk threads: destroy the service after the server that uses it has stopped.
    ~files_service();
    files_service(const files_service&) = delete;
    files_service& operator=(const files_service&) = delete;

    // For tcp_server: one files_session per connection, each referring to this service.
    tcp_server::session_factory session_factory();

    const files_options& options() const { return options_; }
    file_store& store() { return store_; }
    logger& log() { return log_; }
    asio::thread_pool::executor_type disk_executor() { return disk_.get_executor(); }

private:
    files_options options_;
    logger& log_;
    file_store store_;
    asio::thread_pool disk_;
};

}  // namespace netkit
