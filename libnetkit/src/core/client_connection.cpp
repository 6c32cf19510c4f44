#include <netkit/client_connection.hpp>

#include <netkit/connect.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <stdexcept>
#include <utility>

namespace netkit {

namespace {

std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) return "the server closed the connection";
    const char* reason = ERR_reason_error_string(code);
    return reason ? reason : "error " + std::to_string(code);
}

}  // namespace

client_connection::client_connection(tcp::socket socket) : socket_(std::move(socket)) {}

client_connection::client_connection(tcp::socket socket, std::shared_ptr<const asio::ssl::context> context,
                                     const std::string& server_name, const std::string& where)
    : socket_(std::move(socket)), context_(std::move(context)) {
    // SSL_new only takes a reference on the context; it does not change it.
    ssl_ = SSL_new(const_cast<asio::ssl::context&>(*context_).native_handle());
    if (!ssl_) throw std::runtime_error("TLS: cannot create a connection: " + openssl_reason());
    // The destructor does not run when the constructor throws: the connection is freed here then.
    try {
        SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        if (SSL_set_fd(ssl_, socket_.native_handle()) != 1)
            throw std::runtime_error("TLS: cannot use the socket: " + openssl_reason());
        boost::system::error_code not_address;
        asio::ip::make_address(server_name, not_address);
        if (!not_address) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str());
        } else {
            SSL_set_tlsext_host_name(ssl_, server_name.c_str());
            SSL_set1_host(ssl_, server_name.c_str());
        }
        ERR_clear_error();
        if (SSL_connect(ssl_) != 1) {
            const long verify = SSL_get_verify_result(ssl_);
            if (verify != X509_V_OK)
                throw std::runtime_error(std::string("TLS: certificate verify failed (") +
                                         X509_verify_cert_error_string(verify) + ") for " + where);
            throw std::runtime_error("TLS: handshake with " + where + " failed: " + openssl_reason());
        }
        // From here on OpenSSL reads and writes without blocking; the blocking calls wait in poll().
        socket_.non_blocking(true);
    } catch (...) {
        SSL_free(std::exchange(ssl_, nullptr));
        throw;
    }
}

client_connection::client_connection(client_connection&& other) noexcept
    : socket_(std::move(other.socket_)),
      context_(std::move(other.context_)),
      ssl_(std::exchange(other.ssl_, nullptr)),
      wants_write_(other.wants_write_),
      sent_close_notify_(other.sent_close_notify_) {}

client_connection& client_connection::operator=(client_connection&& other) noexcept {
    if (this != &other) {
        if (ssl_) SSL_free(ssl_);
        socket_ = std::move(other.socket_);
        context_ = std::move(other.context_);
        ssl_ = std::exchange(other.ssl_, nullptr);
        wants_write_ = other.wants_write_;
        sent_close_notify_ = other.sent_close_notify_;
    }
    return *this;
}

client_connection::~client_connection() {
    if (ssl_) SSL_free(ssl_);
}

boost::system::error_code client_connection::failure(int result) {
    const int saved_errno = errno;
    const int kind = SSL_get_error(ssl_, result);
    wants_write_ = kind == SSL_ERROR_WANT_WRITE;
    switch (kind) {
    case SSL_ERROR_ZERO_RETURN: return asio::error::eof;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return asio::error::would_block;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0 && saved_errno == 0) return asio::error::eof;
        if (saved_errno != 0) return {saved_errno, boost::system::system_category()};
        break;
    case SSL_ERROR_SSL:
        // A server that closes TCP without close_notify: the protocols here end their own messages
        // (lengths, digests, line ends), so this is the end of the stream, as over plain TCP.
        if (ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            return asio::error::eof;
        }
        break;
    default: break;
    }
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    return {static_cast<int>(code), asio::error::get_ssl_category()};
}

std::size_t client_connection::transfer(bool reading, void* data, std::size_t size, boost::system::error_code& ec) {
    ec = {};
    if (size == 0) return 0;
    const int n = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
    ERR_clear_error();
    errno = 0;
    const int result = reading ? SSL_read(ssl_, data, n) : SSL_write(ssl_, data, n);
    if (result > 0) return static_cast<std::size_t>(result);
    ec = failure(result);
    return 0;
}

std::size_t client_connection::read_some_now(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    if (ssl_) return transfer(true, buffer.data(), buffer.size(), ec);
    ec = {};
    const ssize_t n = ::recv(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0 || buffer.size() == 0) return static_cast<std::size_t>(std::max<ssize_t>(n, 0));
    if (n == 0) ec = asio::error::eof;
    else if (errno == EAGAIN || errno == EWOULDBLOCK) ec = asio::error::would_block;
    else ec = {errno, boost::system::system_category()};
    wants_write_ = false;
    return 0;
}

std::size_t client_connection::write_some_now(asio::const_buffer buffer, boost::system::error_code& ec) {
    if (ssl_) return transfer(false, const_cast<void*>(buffer.data()), buffer.size(), ec);
    ec = {};
    const ssize_t n = ::send(socket_.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EAGAIN || errno == EWOULDBLOCK) ec = asio::error::would_block;
    else ec = {errno, boost::system::system_category()};
    wants_write_ = true;
    return 0;
}

void client_connection::wait(boost::system::error_code& ec) {
    pollfd fd{socket_.native_handle(), static_cast<short>(wants_write_ ? POLLOUT : POLLIN), 0};
    while (::poll(&fd, 1, -1) < 0) {
        if (errno != EINTR) {
            ec = {errno, boost::system::system_category()};
            return;
        }
    }
    ec = {};
}

std::size_t client_connection::read_some(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    if (!ssl_) return socket_.read_some(buffer, ec);
    for (;;) {
        const std::size_t n = transfer(true, buffer.data(), buffer.size(), ec);
        if (ec != asio::error::would_block) return n;
        wait(ec);
        if (ec) return 0;
    }
}

std::size_t client_connection::write_some(asio::const_buffer buffer, boost::system::error_code& ec) {
    if (!ssl_) return socket_.write_some(buffer, ec);
    for (;;) {
        const std::size_t n = transfer(false, const_cast<void*>(buffer.data()), buffer.size(), ec);
        if (ec != asio::error::would_block) return n;
        wait(ec);
        if (ec) return 0;
    }
}

std::size_t client_connection::buffered() const { return ssl_ ? static_cast<std::size_t>(SSL_pending(ssl_)) : 0; }

std::size_t client_connection::available(boost::system::error_code& ec) {
    if (!ssl_) return socket_.available(ec);
    // Bytes in the kernel may be TLS records that carry no data (a TLS 1.3 session ticket): let
    // OpenSSL process what is there without waiting, and count only data.
    char byte;
    ec = {};
    ERR_clear_error();
    errno = 0;
    const int n = SSL_peek(ssl_, &byte, 1);
    if (n > 0) return buffered();
    if (failure(n) == asio::error::would_block) return 0;
    return 1;  // the end of the stream or an error: the next read reports it
}

bool client_connection::send_close_notify(boost::system::error_code& ec) {
    ec = {};
    if (!ssl_ || sent_close_notify_) return true;
    ERR_clear_error();
    errno = 0;
    const int result = SSL_shutdown(ssl_);
    if (result < 0) {
        ec = failure(result);
        return false;
    }
    sent_close_notify_ = true;
    return true;
}

void client_connection::shutdown_send(boost::system::error_code& ec) {
    while (!send_close_notify(ec)) {
        if (ec != asio::error::would_block) return;
        wait(ec);
        if (ec) return;
    }
    socket_.shutdown(tcp::socket::shutdown_send, ec);
}

void client_connection::shutdown_send_now(boost::system::error_code& ec) {
    if (send_close_notify(ec)) socket_.shutdown(tcp::socket::shutdown_send, ec);
}

client_connection connect_client(asio::io_context& io, const std::string& host, const std::string& port,
                                 const tls::client_options& tls) {
    if (!tls.enabled) return client_connection(connect_tcp(io, host, port));
    auto context = tls::client_context(tls);  // a bad --ca or --cert is reported before connecting
    return client_connection(connect_tcp(io, host, port), std::move(context),
                             tls.server_name.empty() ? host : tls.server_name, host + ":" + port);
}

}  // namespace netkit
