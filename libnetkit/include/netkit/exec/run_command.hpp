// Runs one program without a shell and without blocking a thread: output captured through a pipe
// watched by Asio, exit noticed through a pidfd, the whole process group killed on timeout.
#pragma once

#include <netkit/asio.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace netkit {

struct run_options {
    std::chrono::milliseconds timeout{10000};    // then SIGTERM to the process group
    std::chrono::milliseconds kill_grace{500};   // between SIGTERM and SIGKILL
    std::size_t max_output = 1024 * 1024;        // bytes kept; the rest is read and dropped
    std::string workdir = "/";
    // The whole environment of the program: nothing of the server's own leaks into it.
    std::vector<std::string> environment = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
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
// stderr share one pipe, the process leads a new process group in `options.workdir`. When the
// program exits, whatever it left running in its group is killed, so nothing outlives a request.
// Must be awaited on a strand (or a single-threaded executor): its handlers share state.
asio::awaitable<run_result> run_command(const std::string& program, const std::vector<std::string>& argv,
                                        const run_options& options, run_control* control = nullptr);

}  // namespace netkit
