#include <netkit/exec/exec_service.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

namespace netkit::exec {

namespace {
const exec_options& checked(const exec_options& options) {
    struct stat st {};
    if (::stat(options.run.workdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw std::runtime_error("working directory " + options.run.workdir + " is not a directory");
    if (options.token && options.token->empty()) throw std::runtime_error("the token cannot be empty");
    return options;
}

// The identity commands take: `run_as` when we are root, else whoever we are (nothing to drop).
exec_options with_identity(exec_options options) {
    if (::geteuid() != 0 || options.run_as.empty()) return options;
    std::vector<char> buffer(16384);
    passwd pw{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(options.run_as.c_str(), &pw, buffer.data(), buffer.size(), &found);
    if (rc != 0 || !found) throw std::runtime_error("--run-as: no user named '" + options.run_as + "'");
    if (pw.pw_uid == 0) throw std::runtime_error("--run-as: '" + options.run_as + "' is root");
    options.run.user = run_identity{pw.pw_uid, pw.pw_gid};
    return options;
}
}  // namespace

exec_service::exec_service(exec_options options, logger& log)
    : options_(with_identity(checked(options))),
      allowed_(options_.allow_shell ? std::vector<std::string>{} : options_.allow),
      slots_(process_slots::create(options_.max_procs)),
      throttle_(options_.refusal_delay),
      log_(log) {}

}  // namespace netkit::exec
