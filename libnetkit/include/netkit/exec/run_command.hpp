// Runs one program without a shell and without blocking a thread, confined by resource limits and
// (as root) an unprivileged user: output captured through a pipe watched by Asio, the end noticed
// through a pidfd, and every process the program started killed when its request ends.
#pragma once

#include <netkit/asio.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace netkit::exec {

// Who a command runs as: setgroups({gid}), setgid(gid), setuid(uid), in that order.
struct run_identity {
    uid_t uid = 0;
    gid_t gid = 0;
};

struct run_options {
    std::chrono::milliseconds timeout{10000};    // then SIGTERM to the process group
    std::chrono::milliseconds kill_grace{500};   // between SIGTERM and SIGKILL
    std::size_t max_output = 1024 * 1024;        // bytes kept; the rest is read and dropped
    std::string workdir = "/";
    // The whole environment of the program: nothing of the server's own leaks into it.
    std::vector<std::string> environment = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
    // setrlimit in the program before exec; each is both the soft and the hard limit.
    std::uint64_t max_address_space = 256ULL << 20;  // RLIMIT_AS, bytes
    std::uint64_t max_cpu_seconds = 0;               // RLIMIT_CPU; 0: the timeout, rounded up, + 1
    std::uint64_t max_file_size = 16ULL << 20;       // RLIMIT_FSIZE, bytes written to any one file
    std::uint64_t max_processes = 64;                // RLIMIT_NPROC: processes of the program's uid
    std::optional<run_identity> user;                // nullopt: keep the server's identity
};

enum class run_end { exited, signaled, timed_out, cancelled, failed };

struct run_result {
    run_end end = run_end::failed;
    int code = 0;          // exit status (exited) or signal number (signaled)
    std::string output;    // stdout and stderr together, at most max_output bytes
    bool truncated = false;
    std::string error;     // why the program could not be started (failed)
};

// Lets the owner of a running command end it early (a server shutting down). Used on the strand
// that runs the command.
class run_control {
public:
    void cancel() {
        cancelled_ = true;
        if (on_cancel_) on_cancel_();
    }
    bool cancelled() const { return cancelled_; }
    // run_command installs what cancel() does while its program runs (and clears it after).
    void on_cancel(std::function<void()> action) { on_cancel_ = std::move(action); }

private:
    std::function<void()> on_cancel_;
    bool cancelled_ = false;
};

// Runs `program` (an absolute path) with `argv` (argv[0] included). stdin is /dev/null, stdout and
// stderr share one pipe, the process leads a new process group in `options.workdir`, with the
// limits of `options`, PR_SET_NO_NEW_PRIVS and `options.user`. It runs under a keeper process, a
// child subreaper: when the program exits (or is killed on timeout or cancel), the keeper kills
// every process it left, even one that left its group and session with setsid, so nothing
// outlives a request.
// Must be awaited on a strand (or a single-threaded executor): its handlers share state.
asio::awaitable<run_result> run_command(const std::string& program, const std::vector<std::string>& argv,
                                        const run_options& options, run_control* control = nullptr);

}  // namespace netkit::exec
