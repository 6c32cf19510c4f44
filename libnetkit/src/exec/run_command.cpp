// Why fork and not posix_spawn: resource limits, PR_SET_NO_NEW_PRIVS, the user switch and the
// subreaper need code between fork and exec, which posix_spawn cannot run. Why not Boost.Process
// v2's launcher: it calls io_context::notify_fork(), which Asio allows only while no other thread
// uses the io_context, and a netkit server runs one io_context on several threads. So we fork
// ourselves and, between fork and exec, call only async-signal-safe functions on data prepared
// before the fork (another thread may have held a malloc or stdio lock when we forked).
//
// Each request has two processes: a keeper, a child subreaper that starts the program and outlives
// it, and the program. The server signals the keeper; the keeper passes SIGTERM to the program's
// group and, on SIGUSR1 or when the program exits, SIGKILLs every descendant it can see (orphans
// of the program, even those that left with setsid, are reparented to it), then exits with the
// program's status. Everything after the spawn is plain Asio: a pipe and a pidfd.
#include <netkit/exec/run_command.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

namespace netkit::exec {

namespace {

using asio::posix::stream_descriptor;

struct spawned {
    pid_t pid = -1;   // the keeper
    int pidfd = -1;   // the keeper's
    int output = -1;  // read end of the stdout+stderr pipe
};

// What went wrong between fork and exec, sent back through a close-on-exec pipe: nothing arrives
// when exec succeeded.
enum class launch_stage : int { fork, limits, user, workdir, no_new_privs, exec };
struct launch_failure {
    launch_stage stage;
    int error;
};

// Everything the two children need, prepared before the fork (no allocation after it).
struct launch {
    const char* program;
    std::vector<char*> argv;
    std::vector<char*> env;
    const char* workdir;
    std::array<std::pair<int, rlim_t>, 4> limits;
    std::optional<run_identity> user;
    int output;  // write end of the output pipe
    int report;  // write end of the failure pipe
};

[[noreturn]] void fail_launch(int report, launch_stage stage, int error) {
    const launch_failure f{stage, error};
    [[maybe_unused]] const auto ignored = ::write(report, &f, sizeof f);
    ::_exit(127);
}

// The program's side of the fork: its own process group, stdin /dev/null, stdout and stderr the
// pipe, no other descriptor, default signals, limits, then the user, then exec.
[[noreturn]] void become_program(const launch& l) {
    ::setpgid(0, 0);  // its own group: SIGTERM reaches its children too
    int report = l.report;
    if (report < 3) report = ::fcntl(report, F_DUPFD_CLOEXEC, 3);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null < 0 || ::dup2(null, STDIN_FILENO) < 0 || ::dup2(l.output, STDOUT_FILENO) < 0 ||
        ::dup2(l.output, STDERR_FILENO) < 0)
        fail_launch(report, launch_stage::fork, errno);
    if (report != 3 && ::dup3(report, 3, O_CLOEXEC) < 0) fail_launch(report, launch_stage::fork, errno);
    ::close_range(4, ~0U, 0);  // sockets and files of the server never reach the program
    report = 3;

    for (const auto& [resource, value] : l.limits) {
        const rlimit limit{value, value};
        if (::setrlimit(resource, &limit) != 0) fail_launch(report, launch_stage::limits, errno);
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // fails harmlessly on KILL/STOP
    if (l.user) {
        const gid_t gid = l.user->gid;
        if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(l.user->uid) != 0)
            fail_launch(report, launch_stage::user, errno);
    }
    // After the switch, so the working directory is one the user may enter.
    if (::chdir(l.workdir) != 0) fail_launch(report, launch_stage::workdir, errno);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail_launch(report, launch_stage::no_new_privs, errno);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(l.program, l.argv.data(), l.env.data());
    fail_launch(report, launch_stage::exec, errno);
}

// SIGKILLs every child of the calling (single-threaded) process, as listed by the kernel.
void kill_children() {
    const int fd = ::open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    char buffer[4096];
    pid_t pid = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buffer[i] >= '0' && buffer[i] <= '9') {
                pid = pid * 10 + (buffer[i] - '0');
            } else if (pid > 0) {
                ::kill(pid, SIGKILL);
                pid = 0;
            }
        }
    }
    if (pid > 0) ::kill(pid, SIGKILL);
    ::close(fd);
}

// The keeper's side of the fork. All signals stay blocked: it only waits for them.
[[noreturn]] void become_keeper(const launch& l) {
    ::setpgid(0, 0);  // out of the server's group (a terminal's ^C is the server's business)
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);  // a dying server takes the keeper along
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // the keeper may re-raise a crash signal at its end
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGCHLD, &dfl, nullptr);  // SIG_IGN would reap for us and lose the status

    const pid_t program = ::fork();
    if (program < 0) fail_launch(l.report, launch_stage::fork, errno);
    if (program == 0) become_program(l);
    ::close_range(0, ~0U, 0);  // not the pipe: its end of file must mean the program's tree ended

    sigset_t wanted;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGCHLD);
    sigaddset(&wanted, SIGTERM);
    sigaddset(&wanted, SIGUSR1);
    int status = 0;
    for (bool ended = false; !ended;) {
        const int sig = ::sigwaitinfo(&wanted, nullptr);
        if (sig == SIGTERM) ::kill(-program, SIGTERM);
        if (sig == SIGUSR1) {
            ::kill(-program, SIGKILL);
            kill_children();
        }
        siginfo_t info;
        for (;;) {
            info.si_pid = 0;
            if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) break;
            if (info.si_pid == program) {
                ::kill(-program, SIGKILL);  // before reaping it: until then its group id stays ours
                ::waitpid(program, &status, 0);
                ended = true;
            } else {
                ::waitpid(info.si_pid, nullptr, 0);
            }
        }
    }
    // Whatever the program left: kill what we see, reap, and look again, as each death can hand
    // us its own children.
    for (;;) {
        kill_children();
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        if (::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD) break;
        const timespec pause{0, 5'000'000};
        ::nanosleep(&pause, nullptr);
    }
    if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
    const int sig = WTERMSIG(status);
    ::sigaction(sig, &dfl, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    ::kill(::getpid(), sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::_exit(128 + sig);
}

std::system_error spawn_error(int err, const std::string& what) {
    return std::system_error(err, std::generic_category(), what);
}

std::string describe(launch_stage stage, const std::string& program, const run_options& options) {
    switch (stage) {
    case launch_stage::fork: return "cannot start a process for " + program;
    case launch_stage::limits: return "cannot set the resource limits of " + program;
    case launch_stage::user: return "cannot switch to the run-as user for " + program;
    case launch_stage::workdir: return "cannot enter the working directory " + options.workdir;
    case launch_stage::no_new_privs: return "cannot set no_new_privs for " + program;
    case launch_stage::exec: break;
    }
    return "cannot run " + program;
}

rlim_t cpu_seconds(const run_options& options) {
    if (options.max_cpu_seconds != 0) return options.max_cpu_seconds;
    return static_cast<rlim_t>((options.timeout.count() + 999) / 1000 + 1);
}

// Starts the keeper, which starts `program`; returns once exec succeeded or throws why it failed.
spawned spawn_kept(const std::string& program, const std::vector<std::string>& argv, const run_options& options) {
    int output[2];
    if (::pipe2(output, O_CLOEXEC) != 0) throw spawn_error(errno, "cannot create a pipe");
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        const int err = errno;
        ::close(output[0]);
        ::close(output[1]);
        throw spawn_error(err, "cannot create a pipe");
    }

    launch l{.program = program.c_str(),
             .argv = {},
             .env = {},
             .workdir = options.workdir.c_str(),
             .limits = {{{RLIMIT_AS, options.max_address_space},
                         {RLIMIT_CPU, cpu_seconds(options)},
                         {RLIMIT_FSIZE, options.max_file_size},
                         {RLIMIT_NPROC, options.max_processes}}},
             .user = options.user,
             .output = output[1],
             .report = report[1]};
    for (const auto& a : argv) l.argv.push_back(const_cast<char*>(a.c_str()));
    l.argv.push_back(nullptr);
    for (const auto& e : options.environment) l.env.push_back(const_cast<char*>(e.c_str()));
    l.env.push_back(nullptr);

    // Blocked across the fork, so no signal handler of the server ever runs in the children.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const pid_t pid = ::fork();
    if (pid == 0) become_keeper(l);
    const int fork_error = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(output[1]);
    ::close(report[1]);
    if (pid < 0) {
        ::close(output[0]);
        ::close(report[0]);
        throw spawn_error(fork_error, "cannot start a process for " + program);
    }

    // Blocks only until the program's exec (or its failure), as posix_spawn would.
    launch_failure failure{};
    ssize_t got = 0;
    while ((got = ::read(report[0], &failure, sizeof failure)) < 0 && errno == EINTR) {
    }
    ::close(report[0]);
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    const int pidfd_error = errno;
    if (got == sizeof failure || pidfd < 0) {
        ::kill(pid, SIGUSR1);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        ::close(output[0]);
        if (pidfd >= 0) ::close(pidfd);
        if (got == sizeof failure) throw spawn_error(failure.error, describe(failure.stage, program, options));
        throw spawn_error(pidfd_error, "pidfd_open (Linux 5.3 or later is required)");
    }
    return {pid, pidfd, output[0]};
}

// What the reading, reaping and timer handlers share; they all run on the caller's strand.
struct run_state : std::enable_shared_from_this<run_state> {
    run_state(const asio::any_io_executor& ex, const spawned& s)
        : pid(s.pid), pidfd(ex, s.pidfd), output(ex, s.output), timer(ex) {}

    // Through the pidfd, so a reused pid can never be hit; never after the keeper is reaped.
    void signal_keeper(int signo) {
        if (!reaped) ::syscall(SYS_pidfd_send_signal, pidfd.native_handle(), signo, nullptr, 0);
    }

    // SIGTERM to the program's group, after `grace` SIGKILL to all it started (both through the
    // keeper); should the keeper itself hang, after another `grace` it is killed and we stop
    // reading the pipe.
    void terminate(std::chrono::milliseconds grace) {
        if (terminating || finished) return;
        terminating = true;
        signal_keeper(SIGTERM);
        timer.expires_after(grace);
        timer.async_wait([self = shared_from_this(), grace](boost::system::error_code ec) {
            if (ec || self->finished) return;
            self->signal_keeper(SIGUSR1);
            self->timer.expires_after(grace);
            self->timer.async_wait([self](boost::system::error_code ec2) {
                if (ec2 || self->finished) return;
                self->signal_keeper(SIGKILL);
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

// Waits for the keeper to exit (it has killed what the program left by then), collects its status.
asio::awaitable<int> reap(run_state& st) {
    co_await st.pidfd.async_wait(stream_descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
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
        child = spawn_kept(program, argv, options);
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

}  // namespace netkit::exec
