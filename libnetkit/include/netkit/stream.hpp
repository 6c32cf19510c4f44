// A connected TCP socket, plain or TLS (chosen once per listener): the only thing sessions read and
// write, so a session is the same code over both.
//
// TLS is OpenSSL driven directly on the non-blocking socket (a socket BIO on its descriptor, not
// memory BIOs):
// OpenSSL reads and writes the descriptor itself, so readiness waits and non-blocking reads and
// writes mean the same as on a plain socket (the sessions' fast paths keep working) and no bytes
// are copied between buffers on the way. When OpenSSL cannot go on (SSL_ERROR_WANT_READ or
// WANT_WRITE) the operation reports would_block, or waits for the socket and tries again.
#pragma once

#include <netkit/asio.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <memory>
#include <string>

struct ssl_st;  // OpenSSL's SSL, kept out of every session's includes

namespace netkit {

class stream {
public:
    using executor_type = tcp::socket::executor_type;

    stream(tcp::socket socket);  // plain; implicit on purpose
    // TLS over `socket`. A client (server_side false) sends `server_name` as SNI and checks the
    // server's certificate against it (a DNS name or an IP address; empty: neither).
    stream(tcp::socket socket, std::shared_ptr<const asio::ssl::context> tls, bool server_side = true,
           std::string server_name = {});
    stream(stream&&) noexcept = default;
    stream& operator=(stream&&) noexcept = default;
    ~stream() = default;

    bool is_tls() const { return ssl_ != nullptr; }
    // The lowest layer, for endpoints, options and close: never read or write it directly.
    tcp::socket& socket() { return socket_; }
    executor_type get_executor() { return socket_.get_executor(); }

    // TLS: the handshake (no timeout here: the caller races it with one). Plain: completes at once.
    asio::awaitable<boost::system::error_code> handshake();

    // Asio's AsyncReadStream / AsyncWriteStream (any completion token): usable with asio::async_write,
    // async_read_until, line_reader, Beast. The end of the stream (TLS close_notify, or a TCP FIN)
    // is asio::error::eof. TLS moves the first non-empty buffer of a sequence per operation.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                if (!ssl_) return socket_.async_read_some(b, std::move(handler));
                const asio::mutable_buffer first = first_of<asio::mutable_buffer>(b);
                retry(std::move(handler), read_waits_for_,
                      [this, first](boost::system::error_code& ec) { return read_some_now(first, ec); });
            },
            token, buffers);
    }
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                if (!ssl_) return socket_.async_write_some(b, std::move(handler));
                const asio::const_buffer first = first_of<asio::const_buffer>(b);
                retry(std::move(handler), write_waits_for_,
                      [this, first](boost::system::error_code& ec) { return write_some_now(first, ec); });
            },
            token, buffers);
    }

    // Readiness, void(error_code): completes at once when TLS already holds decrypted bytes. A
    // readable socket may still hold no application data (a TLS record may be a handshake message or
    // incomplete): read_some_now then says would_block, and the caller waits again.
    //
    // Over TLS a wait goes to the socket only after the last read or write found it empty or full
    // (would_block); otherwise it completes at once and the caller simply tries. Asio's reactor is
    // edge-triggered and does not look at a socket before a wait: OpenSSL may have left bytes in the
    // kernel (or room in it) that no new edge will announce.
    template <class Token> auto async_wait_readable(Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) {
                if (ssl_ && readable_now())
                    asio::post(socket_.get_executor(), asio::append(std::move(handler), boost::system::error_code()));
                else
                    socket_.async_wait(ssl_ ? read_waits_for_ : tcp::socket::wait_read, std::move(handler));
            },
            token);
    }
    template <class Token> auto async_wait_writable(Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) {
                if (ssl_ && (!write_blocked_ || !socket_.is_open()))
                    asio::post(socket_.get_executor(), asio::append(std::move(handler), boost::system::error_code()));
                else
                    socket_.async_wait(ssl_ ? write_waits_for_ : tcp::socket::wait_write, std::move(handler));
            },
            token);
    }

    // Non-blocking: what can be moved now; asio::error::would_block when nothing can. A TLS write
    // that reported would_block must be retried with the same bytes (they may sit in a record
    // OpenSSL has already sealed), as any sending loop does anyway.
    std::size_t read_some_now(const asio::mutable_buffer& buffer, boost::system::error_code& ec);
    std::size_t write_some_now(const asio::const_buffer& buffer, boost::system::error_code& ec);

    bool can_sendfile() const { return !ssl_; }  // TLS bytes must pass through OpenSSL
    // Ends the sending side: TLS sends close_notify (when the handshake was done and nothing
    // failed), then TCP FIN.
    asio::awaitable<void> shutdown_send();
    void shutdown_send_now();  // the same, for code outside a coroutine: it never waits either
    void shutdown_receive();  // graceful stop: reads then end (eof)
    void close();

private:
    struct ssl_free_t {
        void operator()(ssl_st* ssl) const noexcept;
    };

    // A TLS operation: `attempt` until it moves something or fails, waiting for the socket in between.
    template <class Attempt> struct retry_op {
        stream* owner;
        tcp::socket::wait_type& blocked_on;
        Attempt attempt;
        int state = 0;  // 0: first try, 1: waited for the socket, 2: finished at once, posted
        boost::system::error_code result;
        std::size_t moved = 0;

        template <class Self> void operator()(Self& self, boost::system::error_code wait_ec = {}) {
            if (state == 2) return self.complete(result, moved);
            if (wait_ec) return self.complete(wait_ec, std::size_t(0));
            moved = attempt(result);
            if (result == asio::error::would_block) {
                state = 1;
                owner->socket_.async_wait(blocked_on, std::move(self));
            } else if (state == 0) {
                // Never complete inside the initiating call: a callback caller may not expect it.
                state = 2;
                asio::post(owner->socket_.get_executor(), std::move(self));
            } else {
                self.complete(result, moved);
            }
        }
    };
    template <class Handler, class Attempt>
    void retry(Handler handler, tcp::socket::wait_type& blocked_on, Attempt attempt) {
        asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
            retry_op<Attempt>{this, blocked_on, std::move(attempt)}, handler, socket_);
    }
    template <class Buffer, class Buffers> static Buffer first_of(const Buffers& buffers) {
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it) {
            Buffer b(*it);
            if (b.size() != 0) return b;
        }
        return Buffer();
    }

    bool readable_now() const;
    // SSL_get_error's verdict on a call that returned `ret`, as an error_code; would_block with
    // `blocked_on` set to what the socket must become.
    boost::system::error_code failure(int ret, tcp::socket::wait_type& blocked_on);

    tcp::socket socket_;
    std::shared_ptr<const asio::ssl::context> context_;  // kept alive: its callbacks live in it
    std::unique_ptr<ssl_st, ssl_free_t> ssl_;
    tcp::socket::wait_type read_waits_for_ = tcp::socket::wait_read;
    tcp::socket::wait_type write_waits_for_ = tcp::socket::wait_write;
    tcp::socket::wait_type handshake_waits_for_ = tcp::socket::wait_read;
    bool read_blocked_ = false;   // the last TLS read found the socket empty (or full, for WANT_WRITE)
    bool write_blocked_ = false;  // the last TLS write found the socket full (or empty)
    bool failed_ = false;         // a fatal TLS error: no close_notify may follow
    bool receive_shut_ = false;   // shutdown_receive(): reads end
};

// True for a failed TLS server handshake whose peer spoke something else than TLS (a plain-text
// client, or HTTP on an HTTPS port).
bool is_plain_text_on_tls(const boost::system::error_code& ec);

}  // namespace netkit
