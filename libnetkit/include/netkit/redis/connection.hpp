// One hiredis asynchronous connection driven by Asio: hiredis asks for read/write readiness through
// its event hooks, and a stream_descriptor waits on the socket for it. Everything, hiredis calls
// and every handler, runs on the strand given to open(), so nothing blocks and nothing polls.
//
// hiredis (0.14) is not re-entrant: freeing or disconnecting a context from inside one of its
// callbacks is deferred or asserts. So no user handler ever runs inside a hiredis callback: the C
// callbacks copy the reply and post the handler to the strand.
#pragma once

#include <netkit/asio.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace netkit::redis {

using strand = asio::strand<asio::io_context::executor_type>;

// A Redis reply, owned (hiredis frees its own once its callback returns).
struct reply {
    enum class kind { string, array, integer, nil, status, error };
    kind type = kind::nil;
    std::string str;          // string, status, error
    long long integer = 0;    // integer
    std::vector<reply> elements;  // array

    static reply copy_of(const redisReply& r);
    bool is(kind k, std::string_view text) const { return type == k && str == text; }
};

class connection : public std::enable_shared_from_this<connection> {
public:
    // A reply, or nullptr when the connection went away before the reply came.
    using reply_handler = std::function<void(const reply*)>;
    struct handlers {
        std::function<void()> connected;                 // the TCP connection is up
        std::function<void(const std::string&)> closed;  // connect failed or connection lost/closed
    };

    // Starts connecting to a numeric address (resolve names first: hiredis would block on DNS).
    // Call on `on`. Returns nullptr and sets `error` if hiredis cannot even start.
    static std::shared_ptr<connection> open(strand on, const std::string& ip, std::uint16_t port,
                                            handlers h, std::string& error);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // All members below: call on the strand (or once the io_context no longer runs).
    bool is_connected() const { return context_ != nullptr && connected_; }
    std::size_t pending() const { return pending_; }  // commands sent, replies not yet in

    // Queues a command (binary-safe arguments); false when the connection cannot take it.
    bool command(const std::vector<std::string>& args, reply_handler on_reply = {});
    // SUBSCRIBE: `on_message` gets every reply for `channel` (confirmation, then messages).
    bool subscribe(const std::string& channel, reply_handler on_message);

    void close();    // after the pending replies; `closed` is called if it was connected
    void abandon();  // now, without calling any handler again

    struct access;  // the C callbacks

private:
    explicit connection(strand on);
    void wait_readable();
    void wait_writable();
    // Unhooks hiredis from this object: afterwards no hiredis callback reaches it. Returns the
    // context, which the caller must free (or nullptr when there was none).
    redisAsyncContext* detach();
    // Runs `f(*this)` later on the strand, unless abandon() was called by then.
    template <class F> void post(F f);

    strand strand_;
    asio::posix::stream_descriptor socket_;
    redisAsyncContext* context_ = nullptr;
    handlers handlers_;
    // Subscription handlers: hiredis keeps raw pointers to them (privdata) for the context's life.
    std::vector<std::unique_ptr<reply_handler>> subscriptions_;
    std::size_t pending_ = 0;
    bool connected_ = false;
    bool silenced_ = false;  // abandon() was called: posted handlers are dropped
    bool want_read_ = false, want_write_ = false;
    bool reading_ = false, writing_ = false;
};

}  // namespace netkit::redis
