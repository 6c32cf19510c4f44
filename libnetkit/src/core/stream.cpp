#include <netkit/stream.hpp>

#include <boost/asio/ssl/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>

#include <sys/socket.h>

#include <cstdint>

namespace netkit {

namespace {

// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE (ending the process by
// default) when the peer has closed. This one is the same BIO with send(MSG_NOSIGNAL), as Asio
// sends: a vanished client costs an EPIPE, whatever the program's signal settings.
int descriptor_of(BIO* bio) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio))); }

int quiet_write(BIO* bio, const char* data, int size) {
    const ssize_t n = ::send(descriptor_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    BIO_clear_retry_flags(bio);
    if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(bio);
    return static_cast<int>(n);
}

int quiet_read(BIO* bio, char* data, int size) {
    const ssize_t n = ::recv(descriptor_of(bio), data, static_cast<std::size_t>(size), 0);
    BIO_clear_retry_flags(bio);
    if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);  // OpenSSL tells a FIN from an error by it
    if (n < 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_read(bio);
    return static_cast<int>(n);
}

long quiet_ctrl(BIO* bio, int command, long, void* out) {
    switch (command) {
    case BIO_CTRL_EOF: return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0;
    case BIO_CTRL_FLUSH: return 1;
    case BIO_C_GET_FD:
        if (out) *static_cast<int*>(out) = descriptor_of(bio);
        return descriptor_of(bio);
    default: return 0;
    }
}

int quiet_create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

// Made once, never changed: a constant table of functions, shared by every connection.
BIO_METHOD* quiet_socket_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "netkit socket");
        if (!m) throw std::bad_alloc();
        BIO_meth_set_write(m, quiet_write);
        BIO_meth_set_read(m, quiet_read);
        BIO_meth_set_ctrl(m, quiet_ctrl);
        BIO_meth_set_create(m, quiet_create);
        return m;
    }();
    return method;
}

}  // namespace

void stream::ssl_free_t::operator()(ssl_st* ssl) const noexcept { SSL_free(ssl); }

stream::stream(tcp::socket socket) : socket_(std::move(socket)) {}

stream::stream(tcp::socket socket, std::shared_ptr<const asio::ssl::context> tls, bool server_side,
               std::string server_name)
    : socket_(std::move(socket)), context_(std::move(tls)) {
    // SSL_new only takes a reference on the context; the const is Asio's, not OpenSSL's.
    ssl_.reset(SSL_new(const_cast<asio::ssl::context&>(*context_).native_handle()));
    if (!ssl_) throw boost::system::system_error(asio::error::no_memory, "SSL_new");
    SSL* ssl = ssl_.get();
    // Partial writes: a write reports what went out instead of blocking for the whole buffer; a
    // retried write may come from another address (a copied rest); idle connections give back
    // their record buffers, which keeps a quiet TLS connection small.
    SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Read as much as the socket has, not one record header then its body: half the system calls.
    SSL_set_read_ahead(ssl, 1);
    socket_.non_blocking(true);
    BIO* bio = BIO_new(quiet_socket_method());
    if (!bio) throw boost::system::system_error(asio::error::no_memory, "BIO_new");
    BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket_.native_handle())));
    SSL_set_bio(ssl, bio, bio);  // the SSL owns it now
    if (server_side) {
        SSL_set_accept_state(ssl);
        return;
    }
    SSL_set_connect_state(ssl);
    if (server_name.empty()) return;
    boost::system::error_code not_ip;
    asio::ip::make_address(server_name, not_ip);
    if (!not_ip) {
        // An IP address: checked against the certificate's IP entries; SNI carries only names.
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), server_name.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, server_name.c_str());
        SSL_set1_host(ssl, server_name.c_str());
    }
}

boost::system::error_code stream::failure(int ret, tcp::socket::wait_type& blocked_on) {
    const int why = SSL_get_error(ssl_.get(), ret);
    switch (why) {
    case SSL_ERROR_WANT_READ:
        blocked_on = tcp::socket::wait_read;
        return asio::error::would_block;
    case SSL_ERROR_WANT_WRITE:
        blocked_on = tcp::socket::wait_write;
        return asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
        return asio::error::eof;  // close_notify (or, with SSL_OP_IGNORE_UNEXPECTED_EOF, a bare FIN)
    default:
        break;
    }
    failed_ = true;
    // OpenSSL's own reason ("wrong version number") when it has one, so a log line can say it.
    if (const unsigned long e = ERR_get_error()) {
        ERR_clear_error();
        return {static_cast<int>(e), asio::error::get_ssl_category()};
    }
    if (why == SSL_ERROR_SYSCALL) {
        if (errno != 0) return {errno, boost::system::system_category()};
        return asio::error::eof;  // the peer closed TCP without close_notify
    }
    return asio::ssl::error::unspecified_system_error;
}

bool stream::readable_now() const {
    if (receive_shut_ || !socket_.is_open()) return true;  // the read reports it at once
    const SSL* ssl = ssl_.get();
    // Decrypted bytes wait, or the last read did not drain the socket (it may have more that no
    // new edge will announce): a read will tell. Only after would_block does the socket decide.
    return SSL_pending(ssl) > 0 || !read_blocked_;
}

asio::awaitable<boost::system::error_code> stream::handshake() {
    if (!ssl_) co_return boost::system::error_code();
    for (;;) {
        if (!socket_.is_open()) co_return asio::error::bad_descriptor;
        ERR_clear_error();
        const int ret = SSL_do_handshake(ssl_.get());
        if (ret == 1) co_return boost::system::error_code();
        const auto ec = failure(ret, handshake_waits_for_);
        if (ec != asio::error::would_block) co_return ec;
        auto [wait_ec] = co_await socket_.async_wait(handshake_waits_for_, asio::as_tuple(asio::use_awaitable));
        if (wait_ec) co_return wait_ec;
    }
}

std::size_t stream::read_some_now(const asio::mutable_buffer& buffer, boost::system::error_code& ec) {
    if (!ssl_) {
        ec = {};
        if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
        return ec ? 0 : socket_.read_some(buffer, ec);
    }
    ec = {};
    if (buffer.size() == 0) return 0;
    if (!socket_.is_open()) {
        // The descriptor may already belong to another connection: OpenSSL must not touch it.
        ec = asio::error::bad_descriptor;
        return 0;
    }
    if (receive_shut_) {
        ec = asio::error::eof;
        return 0;
    }
    ERR_clear_error();
    std::size_t n = 0;
    const int ret = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n);
    if (ret == 1) {
        read_blocked_ = false;
        return n;
    }
    ec = failure(ret, read_waits_for_);
    read_blocked_ = ec == asio::error::would_block;
    return 0;
}

std::size_t stream::write_some_now(const asio::const_buffer& buffer, boost::system::error_code& ec) {
    if (!ssl_) {
        ec = {};
        if (!socket_.non_blocking()) socket_.non_blocking(true, ec);
        return ec ? 0 : socket_.write_some(buffer, ec);
    }
    ec = {};
    if (!socket_.is_open()) {
        ec = asio::error::bad_descriptor;
        return 0;
    }
    // With partial writes OpenSSL returns after each record: go on while the socket takes more.
    const auto* data = static_cast<const unsigned char*>(buffer.data());
    std::size_t done = 0;
    while (done < buffer.size()) {
        ERR_clear_error();
        std::size_t n = 0;
        const int ret = SSL_write_ex(ssl_.get(), data + done, buffer.size() - done, &n);
        if (ret == 1) {
            done += n;
            continue;
        }
        ec = failure(ret, write_waits_for_);
        write_blocked_ = ec == asio::error::would_block;
        if (write_blocked_ && done > 0) ec = {};
        return done;
    }
    write_blocked_ = false;
    return done;
}

asio::awaitable<void> stream::shutdown_send() {
    shutdown_send_now();
    co_return;
}

void stream::shutdown_send_now() {
    boost::system::error_code ignored;
    if (ssl_ && !failed_ && socket_.is_open() && SSL_is_init_finished(ssl_.get())) {
        // close_notify, so the peer can tell the end from a cut connection. One try, never a wait:
        // when the socket is full the peer is not reading, and must not hold the session open.
        // The protocols here delimit their own messages, so a missing close_notify loses nothing.
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
        ERR_clear_error();
    }
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void stream::shutdown_receive() {
    boost::system::error_code ignored;
    receive_shut_ = true;
    socket_.shutdown(tcp::socket::shutdown_receive, ignored);
}

void stream::close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

bool is_plain_text_on_tls(const boost::system::error_code& ec) {
    if (ec.category() != asio::error::get_ssl_category()) return false;
    const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST ||
           reason == SSL_R_HTTPS_PROXY_REQUEST || reason == SSL_R_UNKNOWN_PROTOCOL ||
           reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_RECORD_LENGTH_MISMATCH;
}

}  // namespace netkit
