// Every `netkit` subcommand. Each takes the words after its name and returns the exit status.
#pragma once

#include <string>
#include <vector>

namespace netkit::cli {

using args = std::vector<std::string>;

// Servers: `netkit serve SERVICE ...`
int serve_echo(const args& a);
int serve_date(const args& a);
int serve_chat(const args& a);
int serve_exec(const args& a);
int serve_files(const args& a);

// Clients
int echo_client(const args& a);
int date_client(const args& a);
int chat_client(const args& a);
int exec_client(const args& a);
int put_client(const args& a);
int get_client(const args& a);

}  // namespace netkit::cli
