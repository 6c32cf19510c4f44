// Runs a program (usually the `netkit` executable) with its standard input and output on pipes,
// so a test can wait for its "listening on" line, talk to it, signal it and read its exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace netkit::test {

class child_process {
public:
    explicit child_process(const std::vector<std::string>& argv);
    ~child_process();  // kills the child if it is still running
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }

    // The next line of standard output without its "\n"; nullopt at end of output or timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Reads lines until one starts with "listening on" and returns the port it names.
    unsigned short wait_listening(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // Everything written to standard output until the child closes it (or timeout).
    std::string read_all(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    void write_stdin(const std::string& text);
    void close_stdin();
    void signal(int signo);
    // The exit status (128+N for a signal) once the child has exited; nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    std::string pending_;  // read but not yet returned
    std::optional<int> status_;
};

// "listening on 127.0.0.1:1234 (header)" -> 1234; throws if the line is not of that form.
unsigned short port_of(const std::string& listening_line);

// The peak resident set size (VmHWM) of a process in KiB.
long peak_rss_kib(pid_t pid);

}  // namespace netkit::test
