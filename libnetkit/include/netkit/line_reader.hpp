// Reads a text protocol one line at a time from a TCP socket or a stream (plain or TLS), through framing::line_decoder: the
// one place where the exec and files services and their clients turn received bytes into lines,
// with one limit and one "\r" rule. Asynchronous for the sessions, blocking for the clients.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/framing/lines.hpp>
#include <netkit/stream.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace netkit {

class client_connection;

class line_reader {
public:
    // What bytes cut short by the end of the stream (no "\n" after them) count as.
    enum class unterminated { dropped, line };

    // Lines hold at most max_line bytes without their "\n" or "\r\n"; a "\r" before the "\n" is
    // dropped. A longer line is refused as soon as its first max_line + 1 bytes have arrived, so
    // memory stays bounded whatever the peer sends.
    explicit line_reader(std::size_t max_line, unterminated last = unterminated::dropped);

    // The next line without its terminator. The error is asio::error::eof at the end of the
    // stream, asio::error::message_size for a line over the limit (the stream cannot be read any
    // further: there is no telling where the next line starts), or the socket's own error. Once
    // the stream has ended, every later read reports eof again.
    asio::awaitable<std::tuple<boost::system::error_code, std::string>> async_read(stream& s);
    asio::awaitable<std::tuple<boost::system::error_code, std::string>> async_read(tcp::socket& socket);
    // The same for a blocking socket.
    std::string read(tcp::socket& socket, boost::system::error_code& ec);
    // The same for a blocking client's connection, plain or TLS.
    std::string read(client_connection& connection, boost::system::error_code& ec);

    // Bytes received past the last line, for protocols that switch to raw bytes after a line (a
    // file's contents after PUT or OK); discard() those used.
    std::string_view buffered() const { return decoder_.unread(); }
    void discard(std::size_t n) { decoder_.discard(n); }

private:
    template <class AsyncReadStream>
    asio::awaitable<std::tuple<boost::system::error_code, std::string>> read_from(AsyncReadStream& s);
    // A whole line already received, or the error that ends the stream; nullopt: read more.
    std::optional<std::string> take(boost::system::error_code& ec);
    // After a read failed with `ec`: the unterminated last line if it counts, else the error.
    std::string at_end(boost::system::error_code& ec);
    template <class SyncStream>
    std::string read_blocking(SyncStream& stream, boost::system::error_code& ec);

    framing::line_decoder decoder_;
    unterminated last_;
    boost::system::error_code ended_;  // eof once seen: later reads report it without reading
};

}  // namespace netkit
