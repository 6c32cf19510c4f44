// Why not Boost.Process v2's default launcher: it fork()s and calls io_context::notify_fork()
// around it, which Asio allows only while no other thread uses the io_context; a netkit server
// runs one io_context on several threads (and the signal_set's descriptor is deregistered and
// re-registered meanwhile). posix_spawn (vfork-like in glibc) is safe with threads running, and
// everything after the spawn is plain Asio: a pipe and a pidfd watched as stream descriptors.
#include <netkit/exec/run_command.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <system_error>

namespace netkit {

namespace {

using asio::posix::stream_descriptor;

struct spawned {
    pid_t pid = -1;
    int pidfd = -1;
    int output = -1;  // read end of the stdout+stderr pipe
};

std::system_error spawn_error(int err, const std::string& what) {
    return std::system_error(err, std::generic_category(), what);
}

// Starts `program` as the leader of a new process group, in a clean state whatever the server's.
spawned spawn_in_group(const std::string& program, const std::vector<std::string>& argv,
                       const run_options& options) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw spawn_error(errno, "cannot create a pipe");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, options.workdir.c_str());
    // Sockets and files of the server never reach the program, whatever their close-on-exec flag.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills its children too
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    for (const auto& e : options.environment) env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);

    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(pipe_fds[1]);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        throw spawn_error(rc, "cannot run " + program);
    }
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        const int err = errno;
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        ::close(pipe_fds[0]);
        throw spawn_error(err, "pidfd_open (Linux 5.3 or later is required)");
    }
    return {pid, pidfd, pipe_fds[0]};
}

// What the reading, reaping and timer handlers share; they all run on the caller's strand.
struct run_state : std::enable_shared_from_this<run_state> {
    run_state(const asio::any_io_executor& ex, const spawned& s)
        : pid(s.pid), pidfd(ex, s.pidfd), output(ex, s.output), timer(ex) {}

    // Never after the leader is reaped: its process group id could then be reused.
    void signal_group(int signo) const {
        if (!reaped) ::kill(-pid, signo);
    }

    // SIGTERM, then SIGKILL after `grace`; a process that left the group (setsid) could still
    // hold the pipe open, so after another `grace` we stop reading it.
    void terminate(std::chrono::milliseconds grace) {
        if (terminating || finished) return;
        terminating = true;
        signal_group(SIGTERM);
        timer.expires_after(grace);
        timer.async_wait([self = shared_from_this(), grace](boost::system::error_code ec) {
            if (ec || self->finished) return;
            self->signal_group(SIGKILL);
            self->timer.expires_after(grace);
            self->timer.async_wait([self](boost::system::error_code ec2) {
                if (ec2 || self->finished) return;
                boost::system::error_code ignored;
                self->output.close(ignored);
            });
        });
    }

    pid_t pid;
    stream_descriptor pidfd;
    stream_descriptor output;
    asio::steady_timer timer;
    bool reaped = false;
    bool finished = false;
    bool terminating = false;
    bool timed_out = false;
    bool cancelled = false;
};

// Reads the pipe to its end, keeping at most `limit` bytes and draining the rest, so a chatty
// program runs to its natural end (or its timeout) without growing the server.
asio::awaitable<void> capture(run_state& st, std::size_t limit, run_result& result) {
    std::array<char, 64 * 1024> chunk;
    for (;;) {
        auto [ec, n] = co_await st.output.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;  // end of output, or the pipe was closed after a kill
        const std::size_t room = limit - result.output.size();
        result.output.append(chunk.data(), std::min(n, room));
        if (n > room) result.truncated = true;
    }
}

// Waits for the leader to exit, kills what it left in its group, then collects its status.
asio::awaitable<int> reap(run_state& st) {
    co_await st.pidfd.async_wait(stream_descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
    st.signal_group(SIGKILL);  // the leader is a zombie now: its group id is still ours
    int status = 0;
    while (::waitpid(st.pid, &status, 0) < 0 && errno == EINTR) {
    }
    st.reaped = true;
    co_return status;
}

}  // namespace

asio::awaitable<run_result> run_command(const std::string& program, const std::vector<std::string>& argv,
                                        const run_options& options, run_control* control) {
    using namespace asio::experimental::awaitable_operators;
    run_result result;
    if (control && control->cancelled()) {
        result.end = run_end::cancelled;
        co_return result;
    }
    spawned child;
    try {
        child = spawn_in_group(program, argv, options);
    } catch (const std::system_error& e) {
        result.end = run_end::failed;
        result.error = e.what();
        co_return result;
    }

    auto st = std::make_shared<run_state>(co_await asio::this_coro::executor, child);
    const auto grace = options.kill_grace;
    st->timer.expires_after(options.timeout);
    st->timer.async_wait([st, grace](boost::system::error_code ec) {
        if (ec || st->finished) return;
        st->timed_out = true;
        st->terminate(grace);
    });
    if (control) {
        control->on_cancel([weak = std::weak_ptr<run_state>(st), grace] {
            if (auto s = weak.lock()) {
                s->cancelled = true;
                s->terminate(grace);
            }
        });
    }

    const int status = co_await (capture(*st, options.max_output, result) && reap(*st));

    st->finished = true;
    st->timer.cancel();
    if (control) control->on_cancel(nullptr);

    if (st->cancelled) result.end = run_end::cancelled;
    else if (st->timed_out) result.end = run_end::timed_out;
    else if (WIFSIGNALED(status)) {
        result.end = run_end::signaled;
        result.code = WTERMSIG(status);
    } else {
        result.end = run_end::exited;
        result.code = WEXITSTATUS(status);
    }
    co_return result;
}

}  // namespace netkit
