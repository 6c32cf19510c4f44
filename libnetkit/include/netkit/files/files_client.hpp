// A blocking client of the file service, for the `netkit put/get` commands and the lesson example:
// each call is one request on the connection, and every transfer is checked against the digest
// the server reports (SHA-256 unless another is chosen with use_digest).
#pragma once

#include <netkit/asio.hpp>
#include <netkit/client_connection.hpp>
#include <netkit/files/digest.hpp>
#include <netkit/files/stored_file.hpp>
#include <netkit/line_reader.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace netkit::files {

struct transfer_result {
    std::uint64_t size = 0;
    digest_kind kind = digest_kind::sha256;
    std::string digest;  // hex; both sides computed it
};

class files_client {
public:
    // Called after each chunk with the bytes moved so far and the total.
    using progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

    explicit files_client(tcp::socket socket);
    explicit files_client(client_connection connection);  // plain or TLS (connect_client)

    // Prints every protocol line sent ("-> ...") and received ("<- ...") on `out` (nullptr: off).
    void trace(std::ostream* out) { trace_ = out; }

    // Names `kind` as the last word of every PUT and GET from now on. Without this call requests
    // carry no digest word and the server answers with SHA-256: the protocol's original bytes.
    void use_digest(digest_kind kind) { digest_ = kind; }

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
    std::string digest_word() const;  // " xxh128", or nothing when no digest was chosen
    std::string read_line();  // without "\n"; throws on end of stream or an overlong line
    [[noreturn]] void refused(const std::string& reply);

    client_connection connection_;
    line_reader lines_;
    std::ostream* trace_ = nullptr;
    std::optional<digest_kind> digest_;
};

}  // namespace netkit::files
