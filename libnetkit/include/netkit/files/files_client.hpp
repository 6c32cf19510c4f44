// A blocking client of the file service, for the `netkit put/get` commands and the lesson example:
// each call is one request on the connection, and every transfer is checked against the SHA-256
// the server reports.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/files/stored_file.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace netkit {

struct transfer_result {
    std::uint64_t size = 0;
    std::string sha256;  // hex; both sides computed it
};

class files_client {
public:
    // Called after each chunk with the bytes moved so far and the total.
    using progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

    explicit files_client(tcp::socket socket);

    // Prints every protocol line sent ("-> ...") and received ("<- ...") on `out` (nullptr: off).
    void trace(std::ostream* out) { trace_ = out; }

    // Uploads the regular file at `path` under `name`: PUT, wait for OK, send the bytes, wait for
    // DONE and compare its hash with the one computed while sending. Throws files_error when the
    // server refuses ("server: <reason>") or the hashes differ, std::runtime_error when the local
    // file or the connection fails.
    transfer_result put(const std::filesystem::path& path, const std::string& name,
                        const progress& report = {});

    // Downloads `name` into the open descriptor `out` (a file, a pipe, stdout) and checks the hash
    // in the server's DONE line. Throws like put(); `out` may then hold a partial copy.
    transfer_result get(const std::string& name, int out, const progress& report = {});

    std::vector<stored_file> list();

private:
    void send_line(const std::string& line);
    std::string read_line();  // without "\n"; throws on end of stream or an overlong line
    [[noreturn]] void refused(const std::string& reply);

    tcp::socket socket_;
    std::string inbox_;
    std::ostream* trace_ = nullptr;
};

}  // namespace netkit
