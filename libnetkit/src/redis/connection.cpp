#include <netkit/redis/connection.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace netkit::redis {

// hiredis calls plain C functions with the pointers we gave it; they live here.
struct connection::access {
    static connection* of(const redisAsyncContext* c) { return static_cast<connection*>(c->data); }

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
    static void cleanup(void* self) { static_cast<connection*>(self)->detach(); }

    static void on_connect(const redisAsyncContext* ctx, int status) {
        auto* c = of(ctx);
        if (status == REDIS_OK) {
            c->connected_ = true;
            if (auto up = c->handlers_.connected) up();
            return;
        }
        // hiredis frees the context when this returns; it calls no disconnect callback.
        const std::string why = ctx->errstr[0] ? ctx->errstr : "connect failed";
        c->detach();
        if (auto closed = c->handlers_.closed) closed(why);
    }
    static void on_disconnect(const redisAsyncContext* ctx, int status) {
        auto* c = of(ctx);
        const std::string why =
            status == REDIS_OK ? "closed" : (ctx->errstr[0] ? ctx->errstr : "connection lost");
        c->detach();
        if (auto closed = c->handlers_.closed) closed(why);
    }
    static void on_reply(redisAsyncContext* ctx, void* reply, void* privdata) {
        std::unique_ptr<reply_handler> handler(static_cast<reply_handler*>(privdata));
        if (auto* c = of(ctx); c->pending_ > 0) --c->pending_;
        if (*handler) (*handler)(static_cast<redisReply*>(reply));
    }
    static void on_message(redisAsyncContext*, void* reply, void* privdata) {
        // Owned by the connection (subscriptions_): called once per message.
        auto& handler = *static_cast<reply_handler*>(privdata);
        if (handler) handler(static_cast<redisReply*>(reply));
    }
};

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
    c->handlers_ = std::move(h);
    c->context_ = ctx;
    boost::system::error_code ec;
    c->socket_.assign(ctx->c.fd, ec);
    if (ec) {
        error = "cannot watch the Redis socket: " + ec.message();
        c->context_ = nullptr;
        redisAsyncFree(ctx);
        return nullptr;
    }
    redisEnableKeepAlive(&ctx->c);  // notice a peer that vanished without closing
    ctx->data = c.get();
    ctx->ev.data = c.get();
    ctx->ev.addRead = &access::add_read;
    ctx->ev.delRead = &access::del_read;
    ctx->ev.addWrite = &access::add_write;
    ctx->ev.delWrite = &access::del_write;
    ctx->ev.cleanup = &access::cleanup;
    redisAsyncSetDisconnectCallback(ctx, &access::on_disconnect);
    // Writability tells that a non-blocking connect finished; this asks for it.
    redisAsyncSetConnectCallback(ctx, &access::on_connect);
    access::add_write(c.get());
    return c;
}

connection::~connection() { abandon(); }

void connection::wait_readable() {
    if (reading_ || !want_read_ || context_ == nullptr) return;
    reading_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                       asio::bind_executor(strand_, [self = shared_from_this()](boost::system::error_code ec) {
                           self->reading_ = false;
                           if (ec || self->context_ == nullptr) return;
                           if (self->want_read_) redisAsyncHandleRead(self->context_);
                           self->wait_readable();
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

void connection::detach() {
    context_ = nullptr;
    connected_ = false;
    want_read_ = want_write_ = false;
    // hiredis owns and closes the descriptor; Asio must only forget it (pending waits are aborted).
    if (socket_.is_open()) socket_.release();
}

bool connection::command(const std::vector<std::string>& args, reply_handler on_reply) {
    if (context_ == nullptr || !connected_ || args.empty()) return false;
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
    if (context_ == nullptr || !connected_) return false;
    auto handler = std::make_unique<reply_handler>(std::move(on_message));
    const char* argv[] = {"SUBSCRIBE", channel.data()};
    const std::size_t lengths[] = {9, channel.size()};
    if (redisAsyncCommandArgv(context_, &access::on_message, handler.get(), 2, argv, lengths) != REDIS_OK)
        return false;
    subscriptions_.push_back(std::move(handler));
    return true;
}

void connection::close() {
    if (context_ != nullptr) redisAsyncDisconnect(context_);
}

void connection::abandon() {
    handlers_ = {};
    for (auto& s : subscriptions_) *s = nullptr;
    if (context_ == nullptr) return;
    auto* ctx = context_;
    redisAsyncFree(ctx);  // runs pending reply handlers with nullptr, then cleanup → detach()
    context_ = nullptr;
}

}  // namespace netkit::redis
