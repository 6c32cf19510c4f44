#include <netkit/line_reader.hpp>

#include <netkit/client_connection.hpp>

#include <array>

namespace netkit {

namespace {
// One read's worth: request and reply lines are short, and a file's first bytes that come with
// its line wait here only until the transfer takes them.
constexpr std::size_t chunk_size = 4096;
}  // namespace

line_reader::line_reader(std::size_t max_line, unterminated last) : decoder_(max_line), last_(last) {}

std::optional<std::string> line_reader::take(boost::system::error_code& ec) {
    try {
        if (const auto line = decoder_.next()) return std::string(*line);
    } catch (const framing::error&) {
        ec = asio::error::message_size;
        return std::string();
    }
    return std::nullopt;
}

std::string line_reader::at_end(boost::system::error_code& ec) {
    if (ec != asio::error::eof) return {};
    ended_ = ec;
    if (last_ == unterminated::line) {
        if (const auto line = decoder_.finish()) {
            ec = {};
            return std::string(*line);
        }
    }
    return {};
}

asio::awaitable<std::tuple<boost::system::error_code, std::string>> line_reader::async_read(stream& s) {
    return read_from(s);
}

asio::awaitable<std::tuple<boost::system::error_code, std::string>> line_reader::async_read(tcp::socket& socket) {
    return read_from(socket);
}

template <class AsyncReadStream>
asio::awaitable<std::tuple<boost::system::error_code, std::string>> line_reader::read_from(AsyncReadStream& socket) {
    boost::system::error_code ec;
    for (;;) {
        if (auto line = take(ec)) co_return std::tuple{ec, std::move(*line)};
        if (ended_) co_return std::tuple{ended_, std::string()};
        std::array<char, chunk_size> chunk;
        std::size_t n = 0;
        std::tie(ec, n) = co_await socket.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
        if (ec) {
            std::string last = at_end(ec);
            co_return std::tuple{ec, std::move(last)};
        }
        decoder_.feed(std::string_view(chunk.data(), n));
    }
}

template <class SyncStream>
std::string line_reader::read_blocking(SyncStream& stream, boost::system::error_code& ec) {
    ec = {};
    for (;;) {
        if (auto line = take(ec)) return std::move(*line);
        if (ended_) {
            ec = ended_;
            return {};
        }
        std::array<char, chunk_size> chunk;
        const std::size_t n = stream.read_some(asio::buffer(chunk), ec);
        if (ec) return at_end(ec);
        decoder_.feed(std::string_view(chunk.data(), n));
    }
}

std::string line_reader::read(tcp::socket& socket, boost::system::error_code& ec) { return read_blocking(socket, ec); }

std::string line_reader::read(client_connection& connection, boost::system::error_code& ec) {
    return read_blocking(connection, ec);
}

}  // namespace netkit
