#include <netkit/files/files_client.hpp>

#include <netkit/files/error.hpp>
#include <netkit/files/request.hpp>
#include <netkit/files/unique_fd.hpp>
#include <netkit/write_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <vector>

namespace netkit::files {

namespace {

constexpr std::size_t max_reply_line = 4096;
constexpr std::size_t chunk_size = 1 << 20;

// A reply shown to the user must not carry a hostile server's control characters to the terminal.
std::string printable(std::string_view text) {
    std::string out;
    for (const char c : text) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
    return out;
}

std::uint64_t byte_count(std::string_view text, const std::string& reply) {
    const auto value = parse_byte_count(text);
    if (!value) throw files_error("unexpected reply from the server: '" + printable(reply) + "'");
    return *value;
}

}  // namespace

files_client::files_client(tcp::socket socket) : files_client(client_connection(std::move(socket))) {}

files_client::files_client(client_connection connection)
    : connection_(std::move(connection)), lines_(max_reply_line) {}

void files_client::send_line(const std::string& line) {
    if (trace_) *trace_ << "-> " << printable(line) << std::endl;
    const std::string wire = line + "\n";
    boost::system::error_code ec;
    asio::write(connection_, asio::buffer(wire), ec);
    if (ec) throw std::runtime_error("connection to the server lost: " + ec.message());
}

std::string files_client::read_line() {
    boost::system::error_code ec;
    std::string line = lines_.read(connection_, ec);
    if (ec == asio::error::message_size) throw std::runtime_error("the server sent a line longer than 4096 bytes");
    if (ec == asio::error::eof) throw std::runtime_error("the server closed the connection");
    if (ec) throw std::runtime_error("connection to the server lost: " + ec.message());
    if (trace_) *trace_ << "<- " << printable(line) << std::endl;
    return line;
}

std::string files_client::digest_word() const {
    return digest_ ? " " + std::string(digest_name(*digest_)) : std::string();
}

void files_client::refused(const std::string& reply) {
    if (reply.starts_with("ERR ")) throw files_error("server: " + printable(reply.substr(4)));
    throw files_error("unexpected reply from the server: '" + printable(reply) + "'");
}

transfer_result files_client::put(const std::filesystem::path& path, const std::string& name,
                                  const progress& report) {
    unique_fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw std::runtime_error(path.string() + " is not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);

    send_line("PUT " + name + " " + std::to_string(size) + digest_word());
    if (const auto reply = read_line(); reply != "OK") refused(reply);

    // Each chunk is read once, hashed and sent: the hash is of exactly the bytes that left.
    digest hash(digest_.value_or(digest_kind::sha256));
    std::vector<char> chunk(chunk_size);
    std::uint64_t sent = 0;
    while (sent < size) {
        const ssize_t n = ::read(file.get(), chunk.data(), static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - sent)));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
        if (n == 0) throw std::runtime_error(path.string() + " became shorter while it was being sent");
        hash.update(std::span<const char>(chunk.data(), static_cast<std::size_t>(n)));
        boost::system::error_code ec;
        asio::write(connection_, asio::buffer(chunk.data(), static_cast<std::size_t>(n)), ec);
        if (ec) throw std::runtime_error("connection to the server lost while sending: " + ec.message());
        sent += static_cast<std::uint64_t>(n);
        if (report) report(sent, size);
        // A server that cannot store the file says so at once: stop sending then.
        if (sent < size && (!lines_.buffered().empty() || connection_.available(ec) > 0)) refused(read_line());
    }
    if (trace_) *trace_ << "-> (" << size << " bytes of " << path.string() << ")" << std::endl;

    const std::string reply = read_line();
    if (!reply.starts_with("DONE ")) refused(reply);
    transfer_result result{size, hash.kind(), hash.hex_digest()};
    if (reply.substr(5) != result.digest)
        throw files_error("checksum mismatch: sent " + result.digest + ", the server stored " + printable(reply.substr(5)));
    return result;
}

transfer_result files_client::get(const std::string& name, int out, const progress& report) {
    send_line("GET " + name + digest_word());
    const std::string reply = read_line();
    if (!reply.starts_with("OK ")) refused(reply);
    const std::uint64_t size = byte_count(std::string_view(reply).substr(3), reply);

    digest hash(digest_.value_or(digest_kind::sha256));
    std::vector<char> chunk;
    std::uint64_t received = 0;
    while (received < size) {
        const char* data = nullptr;
        std::size_t n = 0;
        const std::string_view early = lines_.buffered();  // bytes that came with the OK line
        if (!early.empty()) {
            data = early.data();
            n = static_cast<std::size_t>(std::min<std::uint64_t>(early.size(), size - received));
        } else {
            if (chunk.empty()) chunk.resize(chunk_size);
            boost::system::error_code ec;
            n = connection_.read_some(asio::buffer(chunk.data(), static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), size - received))), ec);
            if (ec == asio::error::eof)
                throw std::runtime_error("the server closed the connection after " + std::to_string(received) +
                                         " of " + std::to_string(size) + " bytes");
            if (ec) throw std::runtime_error("connection to the server lost: " + ec.message());
            data = chunk.data();
        }
        hash.update(std::span<const char>(data, n));
        if (!write_fd(out, {data, n}))
            throw std::runtime_error(std::string("cannot write the copy: ") + std::strerror(errno));
        if (!early.empty()) lines_.discard(n);
        received += n;
        if (report) report(received, size);
    }
    if (trace_) *trace_ << "<- (" << size << " bytes)" << std::endl;

    const std::string trailer = read_line();
    if (!trailer.starts_with("DONE ")) refused(trailer);
    transfer_result result{size, hash.kind(), hash.hex_digest()};
    if (trailer.substr(5) != result.digest)
        throw files_error("checksum mismatch: received " + result.digest + ", the server reported " +
                          printable(trailer.substr(5)));
    return result;
}

std::vector<stored_file> files_client::list() {
    send_line("LIST");
    const std::string reply = read_line();
    if (!reply.starts_with("OK ")) refused(reply);
    const std::uint64_t count = byte_count(std::string_view(reply).substr(3), reply);
    std::vector<stored_file> files;
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::string line = read_line();
        const auto space = line.find(' ');
        if (space == std::string::npos) refused(line);
        files.push_back({line.substr(space + 1), byte_count(std::string_view(line).substr(0, space), line)});
    }
    return files;
}

}  // namespace netkit::files
