#include "cli_common.hpp"
namespace netkit::cli {
int serve_chat(const args&) { throw std::runtime_error("the chat service is not built yet"); }
int chat_client(const args&) { throw std::runtime_error("the chat client is not built yet"); }
}  // namespace netkit::cli
