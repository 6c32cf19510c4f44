// A blocking client's connection to a server: plain TCP, or TLS with OpenSSL driven directly on the
// socket (SSL_set_fd, no memory BIOs), so that reads, writes and poll() readiness mean the same in
// both cases. The command-line clients and the exec and files client classes talk through it.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/tls/client.hpp>

#include <cstddef>
#include <memory>
#include <string>

struct ssl_st;

namespace netkit {

class client_connection {
public:
    explicit client_connection(tcp::socket socket);  // plain
    // TLS: handshakes at once, checking the server's certificate for `server_name` (a DNS name, or
    // an IP address, compared as an address; SNI is sent for names only). `where` ("HOST:PORT")
    // names the server in errors: std::runtime_error("TLS: certificate verify failed (reason) for
    // WHERE"), or "TLS: handshake with WHERE failed: reason".
    client_connection(tcp::socket socket, std::shared_ptr<const asio::ssl::context> context,
                      const std::string& server_name, const std::string& where);
    client_connection(client_connection&&) noexcept;
    client_connection& operator=(client_connection&&) noexcept;
    ~client_connection();

    bool is_tls() const { return ssl_ != nullptr; }
    tcp::socket& socket() { return socket_; }  // for poll(), options and close: never read or write it
    int native_handle() { return socket_.native_handle(); }

    // Blocking. The end of the stream (TLS close_notify or TCP FIN) is asio::error::eof.
    std::size_t read_some(asio::mutable_buffer buffer, boost::system::error_code& ec);
    std::size_t write_some(asio::const_buffer buffer, boost::system::error_code& ec);
    // Asio's SyncReadStream / SyncWriteStream, so asio::read and asio::write work on it.
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
        return read_some(asio::mutable_buffer(*asio::buffer_sequence_begin(buffers)), ec);
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
        return write_some(asio::const_buffer(*asio::buffer_sequence_begin(buffers)), ec);
    }
    template <class Buffers>
    std::size_t read_some(const Buffers& buffers) {
        boost::system::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }
    template <class Buffers>
    std::size_t write_some(const Buffers& buffers) {
        boost::system::error_code ec;
        const std::size_t n = write_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }

    // Non-blocking, for a client that polls the socket itself: what can be moved now, or
    // asio::error::would_block; then wait for POLLOUT if wants_write(), else POLLIN.
    std::size_t read_some_now(asio::mutable_buffer buffer, boost::system::error_code& ec);
    std::size_t write_some_now(asio::const_buffer buffer, boost::system::error_code& ec);
    bool wants_write() const { return wants_write_; }
    // Decrypted bytes already inside OpenSSL: poll() would not see them, so read before polling.
    std::size_t buffered() const;
    // Whether a read would find something without waiting: data (its size when known), or the end
    // of the stream or an error (counted as 1: the read reports it). TLS records without data do not count.
    std::size_t available(boost::system::error_code& ec);

    // Ends the sending side: TLS sends close_notify first, then the TCP FIN. The _now form may
    // fail with would_block (try again when wants_write() says the socket is ready).
    void shutdown_send(boost::system::error_code& ec);
    void shutdown_send_now(boost::system::error_code& ec);

private:
    std::size_t transfer(bool reading, void* data, std::size_t size, boost::system::error_code& ec);
    boost::system::error_code failure(int result);
    void wait(boost::system::error_code& ec);
    bool send_close_notify(boost::system::error_code& ec);  // false: not sent (ec says why)

    tcp::socket socket_;
    std::shared_ptr<const asio::ssl::context> context_;  // the SSL object refers to it
    ssl_st* ssl_ = nullptr;
    bool wants_write_ = false;
    bool sent_close_notify_ = false;
};

// Resolves and connects HOST:PORT (connect_tcp), then with tls.enabled handshakes with the server
// named tls.server_name (default: HOST). Throws std::runtime_error or tls::config_error.
client_connection connect_client(asio::io_context& io, const std::string& host, const std::string& port,
                                 const tls::client_options& tls);

}  // namespace netkit
