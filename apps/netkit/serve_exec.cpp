#include "cli_common.hpp"
namespace netkit::cli {
int serve_exec(const args&) { throw std::runtime_error("the command service is not built yet"); }
int exec_client(const args&) { throw std::runtime_error("the command client is not built yet"); }
}  // namespace netkit::cli
