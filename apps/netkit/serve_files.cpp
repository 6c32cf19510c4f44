#include "cli_common.hpp"
namespace netkit::cli {
int serve_files(const args&) { throw std::runtime_error("the file service is not built yet"); }
int put_client(const args&) { throw std::runtime_error("the file client is not built yet"); }
int get_client(const args&) { throw std::runtime_error("the file client is not built yet"); }
}  // namespace netkit::cli
