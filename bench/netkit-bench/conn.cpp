#include "conn.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace netkit::bench {

conn::~conn() {
    // The generator drops connections without a close_notify. OpenSSL would then mark their session
    // "bad" and never resume it: say the shutdown happened, so --tls-resume keeps working.
    if (tls_) SSL_set_shutdown(tls_->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

asio::awaitable<boost::system::error_code> conn::open(const tcp::endpoint& to, const tls_client& tls,
                                                      SSL_SESSION* session) {
    auto [ec] = co_await socket_.async_connect(to, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return ec;
    socket_.set_option(tcp::no_delay(true), ec);
    if (!tls.context) co_return boost::system::error_code();
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls.context);
    if (session) SSL_set_session(tls_->native_handle(), session);
    auto [hec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    co_return hec;
}

bool conn::resumed() const { return tls_ && SSL_session_reused(tls_->native_handle()) == 1; }

std::string conn::cipher() const {
    if (!tls_) return "plain";
    const char* name = SSL_get_cipher_name(tls_->native_handle());
    return std::string(SSL_get_version(tls_->native_handle())) + " " + (name ? name : "?");
}

SSL_SESSION* conn::take_session() const { return tls_ ? SSL_get1_session(tls_->native_handle()) : nullptr; }

std::shared_ptr<asio::ssl::context> make_tls_client_context(const std::string& ciphers) {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_verify_mode(asio::ssl::verify_none);
    // Sessions are cached on the client so that --tls-resume can offer one.
    SSL_CTX_set_session_cache_mode(context->native_handle(), SSL_SESS_CACHE_CLIENT);
    if (!ciphers.empty() && SSL_CTX_set_ciphersuites(context->native_handle(), ciphers.c_str()) != 1)
        throw std::invalid_argument("--tls-ciphers: no TLS 1.3 suite in '" + ciphers + "'");
    return context;
}

}  // namespace netkit::bench
