// The command server of lesson 000, safe by default: what every connection shares (options, the
// resolved allow list, the process slots) and the session factory for tcp_server.
#pragma once

#include <netkit/exec/allow_list.hpp>
#include <netkit/exec/process_slots.hpp>
#include <netkit/exec/run_command.hpp>
#include <netkit/log.hpp>
#include <netkit/tcp_server.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netkit {

struct exec_options {
    std::vector<std::string> allow = allow_list::default_names();  // names or absolute paths
    std::optional<std::string> token;  // when set, the first line must be `AUTH <token>`
    // A wrong token is answered only after this pause, so guessing costs time on every try.
    std::chrono::milliseconds refusal_delay{1000};
    bool allow_shell = false;          // run each line with /bin/sh -c, as the lesson does
    std::size_t max_procs = 4;         // commands running at once, server-wide
    std::size_t max_line = 4096;       // longest request line in bytes, without its "\n"
    run_options run;                   // timeout, output limit, working directory, environment
};

class exec_service {
public:
    // Resolves the allow list and checks the working directory; throws std::runtime_error with
    // the reason when either is unusable.
    exec_service(exec_options options, logger& log);

    const exec_options& options() const { return options_; }
    const allow_list& allowed() const { return allowed_; }
    process_slots& slots() { return *slots_; }
    logger& log() { return log_; }

    // For tcp_server: one exec_session per connection, sharing this service (kept alive by it).
    static tcp_server::session_factory session_factory(std::shared_ptr<exec_service> service);

private:
    exec_options options_;
    allow_list allowed_;
    std::shared_ptr<process_slots> slots_;
    logger& log_;
};

}  // namespace netkit
