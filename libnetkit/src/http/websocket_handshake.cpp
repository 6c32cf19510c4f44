#include <netkit/http/websocket_handshake.hpp>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/evp.h>

#include <array>
#include <sstream>
#include <stdexcept>

namespace netkit::http {

namespace beast_http = boost::beast::http;

namespace {

constexpr std::string_view key_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 1.3

// A nonce of 16 bytes in base64 is 24 characters, the last two "=" (RFC 6455 4.1).
bool valid_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    std::array<unsigned char, 24> decoded{};
    // EVP_DecodeBlock counts the padding as zero bytes: 16 bytes + 2; -1 for a non-base64 character.
    return EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(key.data()), 24) == 18 &&
           key[21] != '=';
}

template <class Message>
std::string serialized(const Message& answer) {
    std::ostringstream out;
    out << answer;
    return std::move(out).str();
}

upgrade_answer refused(beast_http::status status, std::string_view why) {
    beast_http::response<beast_http::string_body> answer{status, 11};
    answer.set(beast_http::field::server, "netkit");
    answer.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    if (status == beast_http::status::upgrade_required) answer.set(beast_http::field::sec_websocket_version, "13");
    answer.keep_alive(false);
    answer.body() = std::string(why) + "\n";
    answer.prepare_payload();
    return {false, serialized(answer)};
}

}  // namespace

std::string websocket_accept_key(std::string_view client_key) {
    std::string input(client_key);
    input.append(key_guid);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_size, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("SHA-1 of the WebSocket key failed (OpenSSL)");
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};  // + its NUL
    const int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest_size));
    return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
}

upgrade_answer answer_websocket_upgrade(const request_header& request) {
    if (request[beast_http::field::sec_websocket_version] != "13")
        return refused(beast_http::status::upgrade_required, "only WebSocket version 13 is spoken here");
    const auto key = request[beast_http::field::sec_websocket_key];
    if (!valid_key(key))
        return refused(beast_http::status::bad_request,
                       "Sec-WebSocket-Key must be 16 bytes in base64 (24 characters ending in \"==\")");

    beast_http::response<beast_http::empty_body> answer{beast_http::status::switching_protocols, 11};
    answer.set(beast_http::field::upgrade, "websocket");
    answer.set(beast_http::field::connection, "Upgrade");
    answer.set(beast_http::field::sec_websocket_accept, websocket_accept_key(key));
    answer.set(beast_http::field::server, "netkit");
    return {true, serialized(answer)};
}

}  // namespace netkit::http
