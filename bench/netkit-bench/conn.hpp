// One generator connection: plain TCP, or TLS on top of it (--tls), read and written the same way,
// so every scenario measures either without knowing which. TLS here is Boost.Asio's ssl::stream: the
// generator trusts any certificate (it measures the server's cost, not its identity).
#pragma once

#include <netkit/asio.hpp>

#include <boost/asio/ssl.hpp>

#include <memory>
#include <string>

namespace netkit::bench {

// The generator's client side of TLS: nullptr context means plain TCP. With `resume`, connections
// after the first offer the session the first one got (an abbreviated handshake).
struct tls_client {
    std::shared_ptr<asio::ssl::context> context;
    bool resume = false;
};

class conn {
public:
    using executor_type = tcp::socket::executor_type;

    explicit conn(executor_type ex) : socket_(ex) {}
    conn(const conn&) = delete;
    conn& operator=(const conn&) = delete;
    ~conn();

    tcp::socket& socket() { return socket_; }
    executor_type get_executor() { return socket_.get_executor(); }
    bool is_tls() const { return tls_ != nullptr; }

    // Connects with TCP_NODELAY and, with a TLS context, completes the handshake (offering
    // `session` for resumption when given). Returns the first error.
    asio::awaitable<boost::system::error_code> open(const tcp::endpoint& to, const tls_client& tls,
                                                    SSL_SESSION* session = nullptr);

    // After a handshake: whether it resumed a session, the cipher, and a reference to the session
    // for later connections (nullptr if none; the caller frees it with SSL_SESSION_free).
    bool resumed() const;
    std::string cipher() const;
    SSL_SESSION* take_session() const;

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                if (tls_) tls_->async_read_some(b, std::move(handler));
                else socket_.async_read_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                if (tls_) tls_->async_write_some(b, std::move(handler));
                else socket_.async_write_some(b, std::move(handler));
            },
            token, buffers);
    }

private:
    tcp::socket socket_;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
};

// The generator's TLS context: TLS 1.2 or later, no verification. `ciphers` (TLS 1.3 suites, e.g.
// "TLS_AES_128_GCM_SHA256") narrows what the client offers; empty: OpenSSL's defaults.
std::shared_ptr<asio::ssl::context> make_tls_client_context(const std::string& ciphers);

}  // namespace netkit::bench
