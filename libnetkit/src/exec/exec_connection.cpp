#include <netkit/exec/exec_connection.hpp>

#include <netkit/connect.hpp>

#include <array>
#include <stdexcept>

namespace netkit::exec {

namespace {

// A server line is short; anything longer is not our protocol.
constexpr std::size_t max_server_line = 256;

}  // namespace

exec_connection::exec_connection(asio::io_context& io, const std::string& host, const std::string& port)
    : where_(host + ":" + port), connection_(connect_tcp(io, host, port)), lines_(max_server_line) {}

exec_connection::exec_connection(asio::io_context& io, const std::string& host, const std::string& port,
                                 const tls::client_options& tls)
    : where_(host + ":" + port), connection_(connect_client(io, host, port, tls)), lines_(max_server_line) {}

std::string exec_connection::read_line() {
    boost::system::error_code ec;
    std::string line = lines_.read(connection_, ec);
    if (ec == asio::error::eof) throw std::runtime_error(where_ + " closed the connection");
    if (ec == asio::error::message_size) throw std::runtime_error(where_ + " does not speak the command protocol");
    if (ec) throw std::runtime_error("connection to " + where_ + " lost: " + ec.message());
    return line;
}

void exec_connection::authenticate(const std::string& token) {
    asio::write(connection_, asio::buffer("AUTH " + token + "\n"));
    const std::string answer = read_line();
    if (answer == "OK") return;
    if (answer.starts_with("ERR ")) throw std::runtime_error(where_ + " refused the token: " + answer.substr(4));
    throw std::runtime_error(where_ + " answered AUTH with '" + answer + "'");
}

response_header exec_connection::run(std::string_view line, std::ostream& output, std::ostream& messages) {
    if (line.find('\n') != std::string_view::npos) throw std::invalid_argument("a command is one line");
    std::string request(line);
    request += '\n';
    boost::system::error_code ec;
    asio::write(connection_, asio::buffer(request), ec);
    if (ec) throw std::runtime_error("connection to " + where_ + " lost: " + ec.message());
    const std::string header_line = read_line();
    const auto header = parse_header(header_line);
    if (!header) throw std::runtime_error(where_ + " sent '" + header_line + "', not a response header");

    const bool is_message = header->status == exec_status::denied || header->status == exec_status::error;
    std::ostream& out = is_message ? messages : output;
    std::size_t left = header->length;
    const std::string_view early = lines_.buffered();  // body bytes that came with the header
    const std::size_t buffered = std::min(left, early.size());
    out.write(early.data(), static_cast<std::streamsize>(buffered));
    lines_.discard(buffered);
    left -= buffered;
    std::array<char, 64 * 1024> chunk;
    while (left > 0) {
        const std::size_t n = connection_.read_some(asio::buffer(chunk.data(), std::min(left, chunk.size())), ec);
        if (ec) throw std::runtime_error("connection to " + where_ + " lost in a response: " + ec.message());
        out.write(chunk.data(), static_cast<std::streamsize>(n));
        left -= n;
    }
    out.flush();
    return *header;
}

}  // namespace netkit::exec
