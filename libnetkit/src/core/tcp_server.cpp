#include <netkit/tcp_server.hpp>

#include <netkit/endpoint.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <variant>
#include <system_error>

namespace netkit {

namespace {

tcp::acceptor open_acceptor(asio::strand<asio::io_context::executor_type> strand,
                            const tcp_server_options& options) {
    const tcp::endpoint wanted(parse_address(options.bind_address), options.port);
    tcp::acceptor acceptor(strand);
    const auto fail = [&](const boost::system::error_code& ec, const char* step) {
        throw std::system_error(ec, std::string("cannot ") + step + " " + to_string(wanted));
    };
    boost::system::error_code ec;
    if (acceptor.open(wanted.protocol(), ec)) fail(ec, "open a socket for");
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (options.reuse_port) {
        // The kernel spreads incoming connections over every socket bound with SO_REUSEPORT.
        const int on = 1;
        if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
            fail(boost::system::error_code(errno, boost::system::system_category()), "set SO_REUSEPORT on");
    }
    // "::" means every address of both families, as the lesson's dual-stack server does.
    if (wanted.address().is_v6() && wanted.address().is_unspecified())
        acceptor.set_option(asio::ip::v6_only(false));
    if (acceptor.bind(wanted, ec)) fail(ec, "bind");
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) fail(ec, "listen on");
    return acceptor;
}

void enable_keepalive(tcp::socket& socket, std::chrono::seconds idle) {
    boost::system::error_code ec;
    socket.set_option(asio::socket_base::keep_alive(true), ec);
    const int fd = socket.native_handle();
    const int idle_s = static_cast<int>(idle.count()), interval_s = 10, probes = 6;
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval_s, sizeof interval_s);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

}  // namespace

std::string client_key(const asio::ip::address& address) {
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
        auto bytes = v6.to_bytes();
        std::fill(bytes.begin() + 8, bytes.end(), 0);
        return asio::ip::address_v6(bytes).to_string() + "/64";
    }
    return address.to_string();
}

tcp_server::tcp_server(asio::io_context& io, tcp_server_options options, session_factory make,
                       logger& log)
    : options_(std::move(options)),
      make_(std::move(make)),
      log_(log),
      strand_(asio::make_strand(io)),
      acceptor_(open_acceptor(strand_, options_)),
      endpoint_(acceptor_.local_endpoint()),
      grace_timer_(strand_) {
    if (auto* m = options_.metrics) {
        const metrics::label_list listener{{"listener", options_.label.empty() ? "default" : options_.label}};
        accepted_ = &m->add_counter("netkit_connections_accepted_total",
                                    "Connections accepted and handed to a session.", listener);
        refused_ = &m->add_counter("netkit_connections_refused_total",
                                   "Connections closed at once: max-connections or max-per-address reached.",
                                   listener);
        open_ = &m->add_gauge("netkit_connections_open", "Connections open now.", listener);
    }
}

std::size_t tcp_server::connection_count() const {
    std::lock_guard lock(mutex_);
    return sessions_.size() + handshakes_.size();
}

void tcp_server::start() {
    asio::co_spawn(strand_, accept_loop(), [this](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log_.error("listener ", to_string(endpoint_), " failed: ", ex.what());
        }
    });
}

asio::awaitable<void> tcp_server::accept_loop() {
    // Each connection gets a strand of its own: its handlers never run concurrently.
    auto& io = static_cast<asio::io_context&>(strand_.context());
    asio::steady_timer backoff(strand_);
    for (;;) {
        auto [ec, socket] =
            co_await acceptor_.async_accept(asio::make_strand(io), asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) {
            // Out of descriptors or memory: wait a little instead of spinning on the error.
            log_.warn("accept on ", to_string(endpoint_), " failed: ", ec.message());
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        admit(std::move(socket));
    }
}

void tcp_server::admit(tcp::socket socket) {
    boost::system::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return;  // the peer left before we looked at it
    if (options_.no_delay) socket.set_option(tcp::no_delay(true), ec);
    if (options_.keepalive_idle.count() > 0) enable_keepalive(socket, options_.keepalive_idle);

    std::shared_ptr<tcp_session> session;
    std::string key;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        if (sessions_.size() + handshakes_.size() >= options_.max_connections) {
            log_.warn("refused ", to_string(peer), ": max-connections (", options_.max_connections,
                      ") reached", options_.label.empty() ? "" : " on ", options_.label);
            if (refused_) refused_->add();
            socket.close(ec);
            return;
        }
        key = client_key(peer.address());
        auto& from_peer = per_address_[key];
        if (options_.max_per_address != 0 && from_peer >= options_.max_per_address) {
            log_.warn("refused ", to_string(peer), ": max-per-address (", options_.max_per_address,
                      ") reached for ", key, options_.label.empty() ? "" : " on ", options_.label);
            if (refused_) refused_->add();
            socket.close(ec);
            return;
        }
        ++from_peer;
        if (!options_.tls) {
            session = make_session_locked(stream(std::move(socket)), peer);
            if (!session) {
                release_locked(key);
                return;
            }
            sessions_.emplace(session, std::move(key));
        }
    }
    if (session) {
        start_session(session);
        return;
    }
    // TLS: the slot is taken now; the session is made once the handshake is done.
    std::optional<stream> tls_stream;
    try {
        tls_stream.emplace(std::move(socket), options_.tls->current());
    } catch (const std::exception& e) {
        log_.warn("cannot start TLS for ", to_string(peer), ": ", e.what());
        std::lock_guard lock(mutex_);
        release_locked(key);
        return;
    }
    auto executor = tls_stream->get_executor();
    asio::co_spawn(executor, handshake_then_start(std::move(*tls_stream), peer, std::move(key)), asio::detached);
}

asio::awaitable<void> tcp_server::handshake_then_start(stream s, tcp::endpoint peer, std::string key) {
    using namespace asio::experimental::awaitable_operators;
    auto timer = std::make_shared<asio::steady_timer>(s.get_executor(), options_.handshake_timeout);
    {
        std::lock_guard lock(mutex_);
        handshakes_.insert(timer);
    }
    const auto outcome = co_await (s.handshake() || timer->async_wait(asio::as_tuple(asio::use_awaitable)));
    boost::system::error_code ec;
    std::string why;
    if (outcome.index() == 0) {
        ec = std::get<0>(outcome);
        if (ec) why = is_plain_text_on_tls(ec) ? "a plain-text client (not TLS): " + ec.message() : ec.message();
    } else {
        ec = asio::error::timed_out;
        why = "no handshake within " + std::to_string(options_.handshake_timeout.count()) + " ms";
    }
    std::shared_ptr<tcp_session> session;
    {
        std::lock_guard lock(mutex_);
        handshakes_.erase(timer);
        if (stopping_ && (!ec || ec == asio::error::timed_out)) {
            ec = asio::error::operation_aborted;
            why = "the server is stopping";
        }
        if (!ec) session = make_session_locked(std::move(s), peer);
        if (session) {
            sessions_.emplace(session, std::move(key));
        } else {
            release_locked(key);
            wake_stop_locked();
        }
    }
    if (!session) {
        if (ec) log_.warn("TLS handshake with ", to_string(peer), " failed", options_.label.empty() ? "" : " on ",
                          options_.label, ": ", why);
        s.close();
        co_return;
    }
    start_session(session);
}

std::shared_ptr<tcp_session> tcp_server::make_session_locked(stream s, const tcp::endpoint& peer) {
    std::shared_ptr<tcp_session> session;
    try {
        session = make_(std::move(s));
    } catch (const std::exception& e) {
        // One bad connection must not end the accept loop for everyone else.
        log_.warn("cannot start a session for ", to_string(peer), ": ", e.what());
        return nullptr;
    }
    if (accepted_) {
        accepted_->add();
        open_->add();
    }
    return session;
}

void tcp_server::release_locked(const std::string& key) {
    if (auto it = per_address_.find(key); it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

void tcp_server::wake_stop_locked() {
    if (stopping_ && sessions_.empty() && handshakes_.empty())
        asio::post(strand_, [this] { grace_timer_.cancel(); });
}

void tcp_server::start_session(const std::shared_ptr<tcp_session>& session) {
    log_.debug("accepted ", to_string(session->remote_endpoint()));
    auto executor = session->get_executor();
    asio::co_spawn(executor, session->run(), [this, session](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log_.warn("session ", to_string(session->remote_endpoint()), " ended: ", ex.what());
            }
        }
        session_ended(session);
    });
}

void tcp_server::session_ended(const std::shared_ptr<tcp_session>& session) {
    std::lock_guard lock(mutex_);
    const auto found = sessions_.find(session);
    if (found == sessions_.end()) return;
    release_locked(found->second);
    sessions_.erase(found);
    if (open_) open_->sub();
    wake_stop_locked();
}

void tcp_server::stop(std::chrono::milliseconds grace) {
    std::vector<std::shared_ptr<tcp_session>> open;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
        for (const auto& entry : sessions_) open.push_back(entry.first);
        // A handshake under way ends now (its timer fires early); it never becomes a session.
        for (const auto& timer : handshakes_)
            asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
    asio::post(strand_, [this, grace] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        {
            std::lock_guard lock(mutex_);
            if (sessions_.empty() && handshakes_.empty()) return;  // nothing to wait for
        }
        grace_timer_.expires_after(grace);
        grace_timer_.async_wait([this](boost::system::error_code ec) {
            if (ec) return;  // every session ended in time
            std::vector<std::shared_ptr<tcp_session>> late;
            {
                std::lock_guard lock(mutex_);
                for (const auto& entry : sessions_) late.push_back(entry.first);
            }
            if (!late.empty())
                log_.warn(late.size(), " session(s) still open after the grace period: closing them");
            for (auto& s : late) s->abort();
        });
    });
    for (auto& s : open) s->request_stop();
}

}  // namespace netkit
