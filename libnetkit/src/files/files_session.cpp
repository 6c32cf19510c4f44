#include <netkit/files/files_session.hpp>

#include <netkit/endpoint.hpp>
#include <netkit/files/digest.hpp>
#include <netkit/files/error.hpp>
#include <netkit/write_all.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>
#include <vector>

namespace netkit::files {

namespace {

using asio::as_tuple;
using asio::use_awaitable;

// sendfile(2) has no MSG_NOSIGNAL: writing to a connection its peer has closed raises SIGPIPE,
// whose default action ends the process. Block it in this thread for the call and consume it if
// the call raised it, so a vanished client costs an EPIPE and nothing more, whatever the
// program's signal settings.
ssize_t sendfile_quietly(int socket, int file, off_t* offset, std::size_t count) {
    sigset_t pipe_only, previous;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    const ssize_t n = ::sendfile(socket, file, offset, count);
    const int error = errno;
    if (n < 0 && error == EPIPE) {
        const timespec no_wait{};
        while (sigtimedwait(&pipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    errno = error;
    return n;
}

// Runs `job` on a disk thread and resumes the calling coroutine on its own executor with the
// result (or the exception) once it is done.
template <class Job>
asio::awaitable<std::invoke_result_t<Job&>> on_disk_thread(asio::thread_pool::executor_type disk, Job job) {
    co_return co_await asio::co_spawn(
        disk, [&job]() -> asio::awaitable<std::invoke_result_t<Job&>> { co_return job(); }, use_awaitable);
}

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// An upload's receive buffer, counted in the service's total while it exists.
class counted_buffer {
public:
    explicit counted_buffer(std::atomic<std::uint64_t>& total) : total_(total) {}
    ~counted_buffer() { total_ -= bytes_.size(); }
    counted_buffer(const counted_buffer&) = delete;
    counted_buffer& operator=(const counted_buffer&) = delete;

    bool empty() const { return bytes_.empty(); }
    void allocate(std::size_t size) {
        bytes_.resize(size);
        total_ += size;
    }
    char* data() { return bytes_.data(); }
    std::size_t size() const { return bytes_.size(); }

private:
    std::atomic<std::uint64_t>& total_;
    std::vector<char> bytes_;
};

}  // namespace

files_session::files_session(stream s, files_service& service)
    : tcp_session(std::move(s)), service_(service), idle_timer_(stream_.get_executor()) {}

asio::awaitable<void> files_session::run() {
    using namespace asio::experimental::awaitable_operators;
    touch();
    connected_ = last_activity_;
    co_await (serve() || watchdog());
    co_await stream_.shutdown_send();
    stream_.shutdown_receive();
    stream_.close();
}

void files_session::on_stop_requested() {
    stop_requested_ = true;
    if (!in_request_) tcp_session::on_stop_requested();
}

asio::awaitable<void> files_session::watchdog() {
    const auto limit = service_.options().idle_timeout;
    const auto login_deadline = connected_ + service_.options().login_timeout;
    auto deadline = std::min(last_activity_ + limit, login_deadline);
    for (;;) {
        idle_timer_.expires_at(deadline);
        auto [ec] = co_await idle_timer_.async_wait(as_tuple(use_awaitable));
        if (ec) co_return;  // cancelled: the session has ended
        const auto now = std::chrono::steady_clock::now();
        if (!seen_request_ && now >= login_deadline) {
            service_.log().info(to_string(remote_), ": no request within ",
                                static_cast<double>(service_.options().login_timeout.count()) / 1000,
                                " s of connecting, closing the connection");
            co_return;
        }
        if (waiting_on_disk_) {
            deadline = now + limit;  // the disk is slow, not the peer
        } else if (now - last_activity_ >= limit) {
            service_.log().info(to_string(remote_), ": nothing moved for ", static_cast<double>(limit.count()) / 1000,
                                " s, closing the connection");
            co_return;  // ends serve(): an upload in progress is abandoned and its file removed
        } else {
            deadline = last_activity_ + limit;
        }
        if (!seen_request_) deadline = std::min(deadline, login_deadline);
    }
}

// Never throws: `||` in run() waits for a success, so serve() must finish normally.
asio::awaitable<void> files_session::serve() {
    try {
        for (;;) {
            auto [ec, line] = co_await lines_.async_read(stream_);
            if (ec == asio::error::message_size) {
                // No way to find where the next request starts: answer and close.
                if (co_await send("ERR request line longer than " + std::to_string(max_request_line) + " bytes\n"))
                    co_await drain_and_close();
                co_return;
            }
            if (ec) co_return;  // end of stream, reset, or a stop request between requests
            touch();
            seen_request_ = true;

            std::optional<files_request> request;
            std::string refusal;
            try {
                request = parse_files_request(line);
            } catch (const files_error& e) {
                refusal = e.what();
            }
            in_request_ = true;
            bool keep_going = true;
            if (!request) {
                keep_going = co_await send("ERR " + refusal + "\n");
            } else if (request->what == files_request::verb::put) {
                keep_going = co_await put(*request);
            } else if (request->what == files_request::verb::get) {
                keep_going = co_await get(*request);
            } else {
                keep_going = co_await list();
            }
            in_request_ = false;
            if (!keep_going || stop_requested_) co_return;
        }
    } catch (const boost::system::system_error& e) {
        if (e.code() != asio::error::operation_aborted)
            service_.log().warn(to_string(remote_), ": session failed: ", e.what());
    } catch (const std::exception& e) {
        service_.log().warn(to_string(remote_), ": session failed: ", e.what());
    }
}

asio::awaitable<bool> files_session::send(std::string text) {
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(text), as_tuple(use_awaitable));
    if (ec) co_return false;
    touch();
    co_return true;
}

asio::awaitable<bool> files_session::put(const files_request& request) {
    auto* m = service_.options().metrics;
    transfer_tally tally(m ? &m->uploads : nullptr, m ? &m->upload_failures : nullptr);
    auto& log = service_.log();
    const std::string peer = to_string(remote_);
    std::optional<upload> file;
    std::string failure;
    try {
        file.emplace(service_.store().begin_upload(request.name, request.size, request.digest));
    } catch (const files_error& e) {
        failure = e.what();
    }
    if (!file) {
        log.info(peer, ": PUT ", quoted(request.name), " refused: ", failure);
        co_return co_await send("ERR " + failure + "\n");
    }
    if (!co_await send("OK\n")) co_return false;

    // Exactly `size` bytes follow. If the disk refuses some, ERR goes out at once (a client that
    // watches for it can stop early) and the rest is read and dropped, so the next request line
    // is found where the client puts it.
    counted_buffer buffer(service_.upload_buffer_counter());
    std::uint64_t left = request.size;
    while (left > 0) {
        std::span<const char> chunk;
        const std::string_view early = lines_.buffered();  // bytes that came with the request line
        if (!early.empty()) {
            chunk = {early.data(), static_cast<std::size_t>(std::min<std::uint64_t>(early.size(), left))};
        } else {
            boost::system::error_code ec;
            if (buffer.empty()) {
                // A client that announced a file and sends nothing costs no buffer.
                std::tie(ec) = co_await stream_.async_wait_readable(as_tuple(use_awaitable));
                if (!ec) buffer.allocate(upload_buffer_size(request.size, service_.options().buffer_size));
            }
            std::size_t n = 0;
            if (!ec) {
                const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left));
                std::tie(ec, n) =
                    co_await stream_.async_read_some(asio::buffer(buffer.data(), want), as_tuple(use_awaitable));
            }
            if (ec) {
                log.info(peer, ": upload of ", quoted(request.name), " interrupted after ", request.size - left,
                         " of ", request.size, " bytes (", ec.message(), "): nothing stored");
                co_return false;
            }
            touch();
            chunk = {buffer.data(), n};
        }
        if (failure.empty()) {
            try {
                file->write(chunk);
            } catch (const files_error& e) {
                failure = e.what();
                file.reset();  // the partial file and its share of the budget go before ERR does
            }
            if (!failure.empty() && !co_await send("ERR " + failure + "\n")) co_return false;
        }
        left -= chunk.size();
        if (!early.empty()) lines_.discard(chunk.size());
    }
    if (!failure.empty()) {
        log.warn(peer, ": PUT ", quoted(request.name), " failed: ", failure);
        co_return true;
    }

    // fsync can take seconds for a large file: a disk thread waits for it, not this I/O thread.
    std::string digest;
    waiting_on_disk_ = true;
    try {
        digest = co_await on_disk_thread(service_.disk_executor(), [&file] { return file->commit(); });
    } catch (const files_error& e) {
        failure = e.what();
    }
    waiting_on_disk_ = false;
    touch();
    if (!failure.empty()) {
        log.warn(peer, ": PUT ", quoted(request.name), " failed: ", failure);
        co_return co_await send("ERR " + failure + "\n");
    }
    log.info(peer, ": stored ", quoted(request.name), " (", request.size, " bytes, ", digest_name(request.digest), " ",
             digest, ")");
    tally.done();
    co_return co_await send("DONE " + digest + "\n");
}

asio::awaitable<bool> files_session::get(const files_request& request) {
    using namespace asio::experimental::awaitable_operators;
    auto* m = service_.options().metrics;
    transfer_tally tally(m ? &m->downloads : nullptr, m ? &m->download_failures : nullptr);
    const std::string peer = to_string(remote_);
    readable_file file;
    std::string failure;
    try {
        file = service_.store().open(request.name);
    } catch (const files_error& e) {
        failure = e.what();
    }
    if (!file.fd) {
        service_.log().info(peer, ": GET ", quoted(request.name), " refused: ", failure);
        co_return co_await send("ERR " + failure + "\n");
    }
    if (!co_await send("OK " + std::to_string(file.size) + "\n")) co_return false;

    // The kernel copies the bytes to the socket while a disk thread hashes the same file for the
    // DONE line: the two run side by side. The descriptor was opened before OK, so a concurrent
    // PUT of this name (a rename) does not change what this client receives.
    const int fd = file.fd.get();
    const std::uint64_t size = file.size;
    std::atomic<bool> abandon{false};
    auto hash = [&]() -> std::string {
        try {
            return digest_of_file(request.digest, fd, size, &abandon);
        } catch (const std::exception& e) {
            service_.log().warn(peer, ": GET ", quoted(request.name), ": ", e.what());
            return {};
        }
    };
    auto [sent, digest] = co_await (send_file(fd, size, abandon) && on_disk_thread(service_.disk_executor(), hash));
    waiting_on_disk_ = false;
    if (!sent) co_return false;
    if (digest.empty()) co_return co_await send("ERR " + quoted(request.name) + " could not be read back to hash it\n");
    service_.log().info(peer, ": sent ", quoted(request.name), " (", size, " bytes)");
    tally.done();
    co_return co_await send("DONE " + digest + "\n");
}

asio::awaitable<bool> files_session::send_file(int fd, std::uint64_t size, std::atomic<bool>& abandon) {
    std::uint64_t sent = 0;
    const auto ec = stream_.can_sendfile() ? co_await sendfile_to_socket(fd, size, sent)
                                           : co_await copy_through_stream(fd, size, sent);
    if (!ec) {
        waiting_on_disk_ = true;  // the bytes are out; the DONE line waits for the hash
        co_return true;
    }
    abandon = true;
    service_.log().info(to_string(remote_), ": download interrupted after ", sent, " of ", size, " bytes (",
                        ec.message(), ")");
    co_return false;
}

boost::system::error_code files_session::shrank() {
    // The file was truncated behind the service's back: the promised size cannot be kept.
    service_.log().warn(to_string(remote_), ": a file shrank while being sent; closing the connection");
    return asio::error::eof;
}

asio::awaitable<boost::system::error_code> files_session::sendfile_to_socket(int fd, std::uint64_t size,
                                                                            std::uint64_t& sent) {
    tcp::socket& socket = stream_.socket();  // sendfile: the kernel copies from file to socket
    boost::system::error_code ec;
    socket.native_non_blocking(true, ec);
    off_t offset = 0;
    while (!ec && static_cast<std::uint64_t>(offset) < size) {
        // Waiting for room first also lets other connections on this thread have their turn.
        std::tie(ec) = co_await socket.async_wait(tcp::socket::wait_write, as_tuple(use_awaitable));
        if (ec) break;
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size - offset, 1U << 30));
        const ssize_t n = sendfile_quietly(socket.native_handle(), fd, &offset, want);
        if (n > 0) touch();
        else if (n == 0) ec = shrank();
        else if (errno != EAGAIN && errno != EINTR) ec.assign(errno, boost::system::system_category());
        sent = static_cast<std::uint64_t>(offset);
    }
    co_return ec;
}

// TLS: the bytes must pass through OpenSSL, so no sendfile. The file is read in large chunks and
// each goes to the stream whole: OpenSSL makes full 16 KiB records of it, with few calls.
asio::awaitable<boost::system::error_code> files_session::copy_through_stream(int fd, std::uint64_t size,
                                                                             std::uint64_t& sent) {
    constexpr std::size_t chunk_size = 256 * 1024;
    std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(size, chunk_size)));
    boost::system::error_code ec;
    while (!ec && sent < size) {
        // Waiting for room first also lets other connections on this thread have their turn.
        std::tie(ec) = co_await stream_.async_wait_writable(as_tuple(use_awaitable));
        if (ec) break;
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size - sent, chunk.size()));
        const ssize_t n = ::pread(fd, chunk.data(), want, static_cast<off_t>(sent));
        if (n < 0) {
            if (errno != EINTR) ec.assign(errno, boost::system::system_category());
            continue;
        }
        if (n == 0) {
            ec = shrank();
            break;
        }
        ec = co_await write_all(stream_, asio::buffer(chunk.data(), static_cast<std::size_t>(n)));
        if (ec) break;
        sent += static_cast<std::uint64_t>(n);
        touch();
    }
    co_return ec;
}

asio::awaitable<bool> files_session::list() {
    std::vector<stored_file> files;
    std::string failure;
    try {
        files = service_.store().list();
    } catch (const files_error& e) {
        failure = e.what();
    }
    if (!failure.empty()) co_return co_await send("ERR " + failure + "\n");
    std::string reply = "OK " + std::to_string(files.size()) + "\n";
    for (const auto& f : files) reply += std::to_string(f.size) + " " + f.name + "\n";
    co_return co_await send(std::move(reply));
}

tcp_server::session_factory files_session_factory(files_service& service) {
    return [&service](stream s) { return std::make_shared<files_session>(std::move(s), service); };
}

}  // namespace netkit::files
