#include <netkit/exec/exec_service.hpp>

#include <netkit/exec/exec_session.hpp>

#include <sys/stat.h>

#include <stdexcept>

namespace netkit {

namespace {
const exec_options& checked(const exec_options& options) {
    struct stat st {};
    if (::stat(options.run.workdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw std::runtime_error("working directory " + options.run.workdir + " is not a directory");
    if (options.token && options.token->empty()) throw std::runtime_error("the token cannot be empty");
    return options;
}
}  // namespace

exec_service::exec_service(exec_options options, logger& log)
    : options_(checked(options)),
      allowed_(options_.allow_shell ? std::vector<std::string>{} : options_.allow),
      slots_(process_slots::create(options_.max_procs)),
      log_(log) {}

tcp_server::session_factory exec_service::session_factory(std::shared_ptr<exec_service> service) {
    return [service](tcp::socket socket) { return std::make_shared<exec_session>(std::move(socket), service); };
}

}  // namespace netkit
