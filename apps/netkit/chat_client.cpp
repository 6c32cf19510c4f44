// `netkit chat HOST PORT --name N [--protocol line|header]`: a console chat client. Incoming
// messages print while you type; {quit} or Ctrl-D leaves.
#include "cli_common.hpp"
#include "tls_client_options.hpp"

#include <netkit/client_connection.hpp>

#include <netkit/chat/names.hpp>
#include <netkit/chat/text.hpp>
#include <netkit/chat/wire.hpp>
#include <netkit/framing/length_header.hpp>
#include <netkit/framing/lines.hpp>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

namespace netkit::cli {

namespace {

constexpr std::size_t max_message = 1024 * 1024;

// Terminal output: one line per message, with nothing a peer could use to move the cursor.
void print_line(std::string_view text) {
    std::string out;
    chat::append_line_safe(out, text);
    std::cout << out << '\n' << std::flush;
}

class chat_console {
public:
    chat_console(client_connection connection, bool header) : connection_(std::move(connection)), header_(header) {}

    void send_name(const std::string& name) { send(name); }

    // Polls the keyboard and the socket until the chat ends; returns the exit status.
    int run() {
        framing::line_decoder typed(max_message);
        for (;;) {
            // Bytes OpenSSL already decrypted are invisible to poll(): print them first.
            if (connection_.buffered() > 0) {
                if (auto status = receive()) return *status;
                continue;
            }
            pollfd fds[2] = {{connection_.native_handle(), POLLIN, 0}, {stdin_open_ ? STDIN_FILENO : -1, POLLIN, 0}};
            // After {quit}, give the server a moment to close the connection itself.
            const int ready = ::poll(fds, 2, leaving_ ? 2000 : -1);
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) throw std::runtime_error("poll failed");
            if (ready == 0) return 0;
            if (fds[0].revents != 0) {
                if (auto status = receive()) return *status;
            }
            if (fds[1].revents != 0) {
                char chunk[4096];
                const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) {
                    if (auto last = typed.finish()) typed_line(*last);
                    if (!leaving_) quit();  // Ctrl-D
                    if (header_) return 0;
                    continue;
                }
                typed.feed(std::string_view(chunk, static_cast<std::size_t>(n)));
                while (auto line = typed.next()) {
                    typed_line(*line);
                    if (leaving_ && header_) return 0;
                }
            }
        }
    }

private:
    void typed_line(std::string_view line) {
        if (leaving_) return;
        if (line == chat::quit_command) return quit();
        if (!line.empty()) send(line);
    }

    // The line protocol has {quit}: the server closes and tells the others. The header protocol
    // (as in lesson 003) has none: closing the connection is how a client leaves.
    void quit() {
        leaving_ = true;
        stdin_open_ = false;
        if (header_) {
            boost::system::error_code ignored;
            connection_.shutdown_send(ignored);
        } else {
            send(chat::quit_command);
        }
    }

    void send(std::string_view text) {
        const std::string bytes = header_ ? framing::length_frame(text) : std::string(text) + "\n";
        boost::system::error_code ec;
        asio::write(connection_, asio::buffer(bytes), ec);
        if (ec) throw std::runtime_error("connection lost while sending: " + ec.message());
    }

    // Reads what the server sent and prints it; returns an exit status when the chat is over.
    std::optional<int> receive() {
        char chunk[16384];
        boost::system::error_code ec;
        // Without waiting: over TLS a readable socket may hold only a session ticket, no message.
        const std::size_t n = connection_.read_some_now(asio::buffer(chunk), ec);
        if (ec == asio::error::would_block) return std::nullopt;
        if (ec) {
            if (leaving_ || shutdown_seen_) return 0;
            if (ec == asio::error::eof) {
                std::cout << "(connection closed by the server)" << std::endl;
                return 1;
            }
            throw std::runtime_error("connection lost: " + ec.message());
        }
        const std::string_view bytes(chunk, n);
        if (header_) {
            frames_.feed(bytes);
            while (auto frame = frames_.next()) {
                if (!sender_) {
                    sender_ = std::string(*frame);
                    continue;
                }
                print_line(*sender_ + ": " + std::string(*frame));
                if (*sender_ == chat::server_name && *frame == chat::shutdown_notice) shutdown_seen_ = true;
                sender_.reset();
            }
        } else {
            lines_.feed(bytes);
            while (auto line = lines_.next()) {
                if (*line == chat::end_conn) {
                    std::cout << "(the server closed the chat)" << std::endl;
                    return 0;
                }
                print_line(*line);
            }
        }
        return std::nullopt;
    }

    client_connection connection_;
    bool header_;
    bool stdin_open_ = true;
    bool leaving_ = false;
    bool shutdown_seen_ = false;
    framing::length_header_decoder frames_{max_message};
    framing::line_decoder lines_{max_message};
    std::optional<std::string> sender_;  // header protocol: the name frame before its text frame
};

}  // namespace

int chat_client(const args& a) {
    std::string host, port, name, protocol = "line";
    tls::client_options tls;
    po::options_description options("options");
    options.add_options()
        ("host", po::value(&host)->required(), "server address or name")
        ("port", po::value(&port)->required(), "server port (netkit serve chat: 53000 line, 1234 header)")
        ("name", po::value(&name)->required(), "your name in the chat (1-32 bytes, not 'server')")
        ("protocol", po::value(&protocol)->default_value(protocol),
         "line (lesson 004, the server's line port) or header (lesson 003, the header port)");
    add_tls_client_options(options, tls);
    po::positional_options_description positional;
    positional.add("host", 1).add("port", 1);
    po::variables_map vm;
    if (auto done = parse(a, "netkit chat HOST PORT --name NAME [--protocol line|header] [--tls [--ca FILE]]",
                          "Joins a chat server. Type a line and press Enter to send it; messages from "
                          "the others print as they arrive. {quit} or Ctrl-D leaves. With the line "
                          "protocol a refused name can be retyped at the server's prompt.",
                          options, vm, &positional))
        return *done;
    if (protocol != "line" && protocol != "header")
        throw usage_error("--protocol must be line or header, not '" + protocol + "'");
    if (auto problem = chat::name_problem(name)) throw usage_error("--name: " + *problem);
    port = std::to_string(parse_port(port, "PORT"));  // a number from 0 to 65535, not a service name
    tls = tls_client_settings(tls);

    asio::io_context io;
    chat_console console(connect_client(io, host, port, tls), protocol == "header");
    console.send_name(name);
    return console.run();
}

}  // namespace netkit::cli
