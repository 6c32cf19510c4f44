#include <netkit/redis/connection.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <optional>
#include <utility>

namespace netkit::redis {

reply reply::copy_of(const redisReply& r) {
    reply out;
    switch (r.type) {
        case REDIS_REPLY_STRING: out.type = kind::string; break;
        case REDIS_REPLY_ARRAY: out.type = kind::array; break;
        case REDIS_REPLY_INTEGER: out.type = kind::integer; break;
        case REDIS_REPLY_STATUS: out.type = kind::status; break;
        case REDIS_REPLY_ERROR: out.type = kind::error; break;
        default: out.type = kind::nil; break;
    }
    if (r.str != nullptr) out.str.assign(r.str, r.len);
    out.integer = r.integer;
    out.elements.reserve(r.elements);
    for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_of(*r.element[i]));
    return out;
}

// hiredis calls plain C functions with the pointers we gave it; they live here. None of them runs
// user code: they record state and post handlers, so hiredis is never re-entered.
struct connection::access {
    // nullptr once detach() unhooked the context from its connection.
    static connection* of(const redisAsyncContext* ctx) { return static_cast<connection*>(ctx->data); }

    static void add_read(void* self) {
        auto* c = static_cast<connection*>(self);
        c->want_read_ = true;
        c->wait_readable();
    }
    static void del_read(void* self) { static_cast<connection*>(self)->want_read_ = false; }
    static void add_write(void* self) {
        auto* c = static_cast<connection*>(self);
        c->want_write_ = true;
        c->wait_writable();
    }
    static void del_write(void* self) { static_cast<connection*>(self)->want_write_ = false; }
    // hiredis is freeing the context (connect failed, connection lost or closed): forget it, but
    // stay reachable for the disconnect callback that may follow.
    static void cleanup(void* self) {
        auto* c = static_cast<connection*>(self);
        c->context_ = nullptr;
        c->want_read_ = c->want_write_ = false;
        // hiredis owns and closes the descriptor; Asio must only forget it (pending waits abort).
        if (c->socket_.is_open()) c->socket_.release();
    }

    static void on_connect(const redisAsyncContext* ctx, int status) {
        auto* c = of(ctx);
        if (c == nullptr) return;
        if (status == REDIS_OK) {
            c->connected_ = true;
            c->post([](connection& self) {
                if (auto up = self.handlers_.connected) up();
            });
            return;
        }
        // hiredis frees the context when this returns (cleanup follows, no disconnect callback).
        std::string why = ctx->errstr[0] ? ctx->errstr : "connect failed";
        c->post([why = std::move(why)](connection& self) {
            if (auto closed = self.handlers_.closed) closed(why);
        });
    }
    static void on_disconnect(const redisAsyncContext* ctx, int status) {
        auto* c = of(ctx);
        if (c == nullptr) return;
        c->connected_ = false;
        std::string why = status == REDIS_OK ? "closed" : (ctx->errstr[0] ? ctx->errstr : "connection lost");
        c->post([why = std::move(why)](connection& self) {
            if (auto closed = self.handlers_.closed) closed(why);
        });
    }
    static void on_reply(redisAsyncContext* ctx, void* r, void* privdata) {
        // The handler is ours to delete whether or not the connection still listens.
        std::unique_ptr<reply_handler> handler(static_cast<reply_handler*>(privdata));
        auto* c = of(ctx);
        if (c == nullptr) return;
        if (c->pending_ > 0) --c->pending_;
        if (!*handler) return;
        std::optional<reply> copy;
        if (r != nullptr) copy = reply::copy_of(*static_cast<redisReply*>(r));
        c->post([h = std::move(*handler), copy = std::move(copy)](connection&) { h(copy ? &*copy : nullptr); });
    }
    static void on_message(redisAsyncContext* ctx, void* r, void* privdata) {
        // privdata (owned by the connection) is only valid while the context is attached to it.
        auto* c = of(ctx);
        if (c == nullptr) return;
        auto handler = *static_cast<reply_handler*>(privdata);
        if (!handler) return;
        std::optional<reply> copy;
        if (r != nullptr) copy = reply::copy_of(*static_cast<redisReply*>(r));
        c->post([h = std::move(handler), copy = std::move(copy)](connection&) { h(copy ? &*copy : nullptr); });
    }
};

template <class F> void connection::post(F f) {
    // Callbacks come from hiredis calls made by a wait handler or a member function, whose caller
    // owns the connection; weak_from_this() is empty only while it is being destroyed, and the
    // destructor detaches hiredis before any callback can come.
    auto self = weak_from_this().lock();
    if (!self) return;
    asio::post(strand_, [self = std::move(self), f = std::move(f)]() mutable {
        if (!self->silenced_) f(*self);
    });
}

connection::connection(strand on) : strand_(on), socket_(on) {}

std::shared_ptr<connection> connection::open(strand on, const std::string& ip, std::uint16_t port,
                                             handlers h, std::string& error) {
    redisAsyncContext* ctx = redisAsyncConnect(ip.c_str(), port);
    if (ctx == nullptr) {
        error = "out of memory";
        return nullptr;
    }
    if (ctx->err) {
        error = ctx->errstr;
        redisAsyncFree(ctx);
        return nullptr;
    }
    std::shared_ptr<connection> c(new connection(on));
    boost::system::error_code ec;
    c->socket_.assign(ctx->c.fd, ec);
    if (ec) {
        error = "cannot watch the Redis socket: " + ec.message();
        redisAsyncFree(ctx);
        return nullptr;
    }
    c->handlers_ = std::move(h);
    c->context_ = ctx;
    redisEnableKeepAlive(&ctx->c);  // notice a peer that vanished without closing
    ctx->data = c.get();
    ctx->ev.data = c.get();
    ctx->ev.addRead = &access::add_read;
    ctx->ev.delRead = &access::del_read;
    ctx->ev.addWrite = &access::add_write;
    ctx->ev.delWrite = &access::del_write;
    ctx->ev.cleanup = &access::cleanup;
    redisAsyncSetDisconnectCallback(ctx, &access::on_disconnect);
    redisAsyncSetConnectCallback(ctx, &access::on_connect);
    // Writability tells that a non-blocking connect finished; this asks for it.
    access::add_write(c.get());
    return c;
}

connection::~connection() {
    // Never inside a hiredis callback: those only run while a wait handler or a member function's
    // caller holds a reference. Once detached, freeing cannot reach this object.
    if (auto* ctx = detach()) redisAsyncFree(ctx);
}

void connection::wait_readable() {
    if (reading_ || !want_read_ || context_ == nullptr) return;
    reading_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                       asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->reading_ = false;
                           if (ec || self->context_ == nullptr) return;
                           if (self->want_read_) redisAsyncHandleRead(self->context_);
                           self->wait_readable();  // a no-op if that freed the context
                       }));
}

void connection::wait_writable() {
    if (writing_ || !want_write_ || context_ == nullptr) return;
    writing_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                       asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->writing_ = false;
                           if (ec || self->context_ == nullptr) return;
                           if (self->want_write_) redisAsyncHandleWrite(self->context_);
                           self->wait_writable();
                       }));
}

redisAsyncContext* connection::detach() {
    auto* ctx = std::exchange(context_, nullptr);
    connected_ = false;
    want_read_ = want_write_ = false;
    if (socket_.is_open()) socket_.release();  // hiredis closes the descriptor when it frees
    if (ctx != nullptr) {
        // hiredis may still run callbacks and hooks (freeing runs every pending one): make them
        // all no-ops that touch nothing of ours.
        ctx->data = nullptr;
        ctx->ev.data = nullptr;
        ctx->ev.addRead = ctx->ev.delRead = ctx->ev.addWrite = ctx->ev.delWrite = nullptr;
        ctx->ev.cleanup = nullptr;
        ctx->onConnect = nullptr;
        ctx->onDisconnect = nullptr;
    }
    return ctx;
}

bool connection::command(const std::vector<std::string>& args, reply_handler on_reply) {
    if (!is_connected() || args.empty()) return false;
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto handler = std::make_unique<reply_handler>(std::move(on_reply));
    if (redisAsyncCommandArgv(context_, &access::on_reply, handler.get(), static_cast<int>(args.size()),
                              argv.data(), lengths.data()) != REDIS_OK)
        return false;
    handler.release();  // on_reply deletes it
    ++pending_;
    return true;
}

bool connection::subscribe(const std::string& channel, reply_handler on_message) {
    if (!is_connected()) return false;
    auto handler = std::make_unique<reply_handler>(std::move(on_message));
    const char* argv[] = {"SUBSCRIBE", channel.data()};
    const std::size_t lengths[] = {9, channel.size()};
    if (redisAsyncCommandArgv(context_, &access::on_message, handler.get(), 2, argv, lengths) != REDIS_OK)
        return false;
    subscriptions_.push_back(std::move(handler));
    return true;
}

void connection::close() {
    if (context_ == nullptr) return;
    if (!connected_) {
        // Still connecting: hiredis would free it without a disconnect callback.
        abandon();
        return;
    }
    // Frees the context now or after the pending replies; on_disconnect reports it.
    redisAsyncDisconnect(context_);
}

void connection::abandon() {
    silenced_ = true;
    handlers_ = {};
    // Called from handlers on the strand, never from a hiredis callback (those run no user code),
    // so hiredis can free the context right here.
    if (auto* ctx = detach()) redisAsyncFree(ctx);
}

}  // namespace netkit::redis
