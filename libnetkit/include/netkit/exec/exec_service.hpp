// The command server of lesson 000, safe by default: what every connection shares (options, the
// resolved allow list, the process slots). exec_session.hpp has the session factory for tcp_server.
#pragma once

#include <netkit/exec/allow_list.hpp>
#include <netkit/exec/auth_throttle.hpp>
#include <netkit/exec/exec_metrics.hpp>
#include <netkit/exec/process_slots.hpp>
#include <netkit/exec/run_command.hpp>
#include <netkit/log.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netkit::exec {

struct exec_options {
    // Programs and the arguments they take, as allow_list entries (`uname:-a,-r`).
    std::vector<std::string> allow = allow_list::default_entries();
    std::optional<std::string> token;  // when set, the first line must be `AUTH <token>`
    // A wrong token is answered only after this pause, counted per client address (see
    // auth_throttle), so guessing costs time on every try however many connections are used.
    std::chrono::milliseconds refusal_delay{1000};
    // A connection that has not passed AUTH (when a token is set) by then is closed.
    std::chrono::milliseconds login_timeout{30000};
    // When the server runs as root, commands run as this user (its uid, gid and groups); empty
    // keeps root, which only a test or a container with nothing to protect should want.
    std::string run_as = "nobody";
    bool allow_shell = false;          // run each line with /bin/sh -c, as the lesson does
    std::size_t max_procs = 4;         // commands running at once, server-wide
    std::size_t max_line = 4096;       // longest request line in bytes, without its "\n"
    run_options run;                   // timeout, output limit, working directory, environment
    exec_metrics* metrics = nullptr;   // where to count; outlives the service (nullptr: nothing)
};

class exec_service {
public:
    // Resolves the allow list, the run-as user (when running as root) and checks the working
    // directory; throws std::runtime_error with the reason when one is unusable.
    exec_service(exec_options options, logger& log);

    const exec_options& options() const { return options_; }
    const allow_list& allowed() const { return allowed_; }
    process_slots& slots() { return *slots_; }
    auth_throttle& throttle() { return throttle_; }
    logger& log() { return log_; }

private:
    exec_options options_;
    allow_list allowed_;
    std::shared_ptr<process_slots> slots_;
    auth_throttle throttle_;
    logger& log_;
};

}  // namespace netkit::exec
