// chat: N clients join a chat server (lesson 003 header protocol, line protocol, or the browser
// page's WebSocket protocol on the --http-port, through a small raw WebSocket client that masks its
// frames: a Beast stream per receiver would weigh more than the server's side); K of them send
// numbered, timestamped messages. `raw` is for a relay with no names and no framing of its own
// (`ncat --broker`): no join, bare lines, and the sender gets nothing back. Every client receives and checks that each sender's numbers come
// without gaps. A sender keeps at most `window` messages that some receiver has not yet got, so a
// run measures what the server sustains, not how deep its queues are.
#include "bench.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace netkit::bench {

namespace {

using asio::as_tuple;
using asio::use_awaitable;

struct sender_state {
    explicit sender_state(unsigned window) : slots(new std::atomic<int>[window]) {}
    std::unique_ptr<std::atomic<int>[]> slots;  // receivers still to get message seq % window
    std::uint64_t sent = 0, acked = 0;          // only touched on the sender's strand
    std::shared_ptr<asio::steady_timer> wake;   // cancelled when acked moves
    tcp::socket::executor_type executor;
};

struct chat_run {
    const options& o;
    results& r;
    clock::time_point epoch = clock::now();
    unsigned expected;  // receivers of each message: header excludes the sender, line includes it
    std::vector<std::unique_ptr<sender_state>> senders;
    std::atomic<unsigned> probes_seen{0};  // (receiver, sender) pairs that got a probe
    std::atomic<int> phase{0};             // 0 joining, 1 probing, 2 measuring
};

// Unique per generator process: a run's names must not collide with those of the run before,
// which the server may not have seen leave yet (it would refuse them as taken).
std::string name_of(unsigned i) {
    return "bench" + std::to_string(::getpid()) + "-" + std::to_string(i);
}

std::string frame(std::string_view payload) {
    std::string h = std::to_string(payload.size());
    h.resize(10, ' ');
    return h.append(payload);
}

// A client's WebSocket frame (RFC 6455: FIN, `opcode`, masked). A load generator's mask need not
// be unpredictable; it only has to be there.
std::string ws_frame(std::string_view payload, unsigned opcode = 1) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | opcode));
    const std::size_t n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(0x80 | n));
    } else if (n < 65536) {
        f.push_back(static_cast<char>(0x80 | 126));
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n & 0xff));
    } else {
        f.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>((n >> shift) & 0xff));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    f.append(mask, 4);
    for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
    return f;
}

// The value in `"key":"..."` of a server frame, `pattern` being `"key":"` (the bench's names and
// texts need no escapes). No allocation: a receiver parses millions of these a second.
std::string_view json_string(std::string_view json, std::string_view pattern) {
    const auto at = json.find(pattern);
    if (at == std::string_view::npos) return {};
    const auto start = at + pattern.size();
    const auto end = json.find('"', start);
    return end == std::string_view::npos ? std::string_view() : json.substr(start, end - start);
}

std::string ws_say(std::string_view text) { return ws_frame(R"({"type":"say","text":")" + std::string(text) + "\"}"); }

// The payload's length: S bytes, but on a raw relay S with its "\n", so that a relay reading in
// power-of-two chunks never cuts a message (it cannot tell whose bytes follow).
std::size_t payload_size(const options& o) { return o.protocol == "raw" ? std::max<std::size_t>(o.size, 2) - 1 : o.size; }

// "<sender>:<seq>:<ns since epoch>:" padded with 'x' to payload_size() bytes; seq 0 is a probe.
std::string payload(const chat_run& c, unsigned k, std::uint64_t seq, std::uint64_t ns) {
    std::string p = std::to_string(k) + ":" + std::to_string(seq) + ":" + std::to_string(ns) + ":";
    if (p.size() < payload_size(c.o)) p.resize(payload_size(c.o), 'x');
    return p;
}

bool parse_number(std::string_view& s, std::uint64_t& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end == s.data() + s.size() || *end != ':') return false;
    s.remove_prefix(static_cast<std::size_t>(end - s.data()) + 1);
    return true;
}

struct receiver {
    chat_run& c;
    std::vector<std::uint64_t> last;  // per sender: last seq received
    std::vector<bool> probed;

    void on_message(std::string_view text) {
        std::uint64_t k = 0, seq = 0, ns = 0;
        if (!parse_number(text, k) || !parse_number(text, seq) || !parse_number(text, ns) || k >= last.size()) {
            c.r.errors++;
            return;
        }
        if (seq == 0) {
            if (!probed[k]) {
                probed[k] = true;
                c.probes_seen++;
            }
            return;
        }
        if (seq <= last[k]) {
            c.r.errors++;  // duplicate or out of order
            return;
        }
        if (seq != last[k] + 1) {
            c.r.missed += seq - last[k] - 1;
            // A message that will never come must not hold the sender's window forever.
            for (auto gap = last[k] + 1; gap < seq; ++gap) acknowledge(k, gap);
        }
        last[k] = seq;
        if (c.r.recording.load(std::memory_order_relaxed)) {
            const auto now = static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - c.epoch).count());
            c.r.latency.record(now > ns ? now - ns : 0);
            c.r.messages.fetch_add(1, std::memory_order_relaxed);
            c.r.bytes.fetch_add(c.o.size, std::memory_order_relaxed);
        }
        acknowledge(k, seq);
    }

    void acknowledge(std::uint64_t k, std::uint64_t seq) {
        auto& s = *c.senders[k];
        if (s.slots[seq % c.o.window].fetch_sub(1) == 1) {
            asio::post(s.executor, [&s, window = c.o.window] {
                while (s.acked < s.sent && s.slots[(s.acked + 1) % window].load() == 0) ++s.acked;
                s.wake->cancel();
            });
        }
    }
};

// A receive buffer that splits what a chat server sends into messages, whatever the read sizes.
class inbox {
public:
    // 16 KiB per client, so that 19,000 of them fit in a generator's memory; a longer frame grows it.
    explicit inbox(bool header, bool raw, bool ws = false)
        : header_(header), raw_(raw), ws_(ws), handshake_(ws), buf_(16 * 1024) {}

    // WebSocket: pings the server sent, to be answered with pongs (their payloads).
    std::vector<std::string> pings;
    // WebSocket: the server has answered the upgrade (101).
    bool upgraded() const { return ws_ && !handshake_; }

    // Calls on(user, text) for each complete message (header: a username frame + a message frame;
    // line: "user: text"; raw: a bare line, user "raw"); returns false on a protocol error.
    template <class On>
    bool parse(On&& on) {
        for (;;) {
            std::string_view avail(buf_.data() + begin_, end_ - begin_);
            if (handshake_) {  // the server's 101 answer first
                const auto end = avail.find("\r\n\r\n");
                if (end == std::string_view::npos) break;
                if (!avail.starts_with("HTTP/1.1 101")) return false;
                begin_ += end + 4;
                handshake_ = false;
            } else if (ws_) {
                if (avail.size() < 2) break;
                const auto b0 = static_cast<unsigned char>(avail[0]), b1 = static_cast<unsigned char>(avail[1]);
                std::size_t len = b1 & 0x7f, head = 2;
                if (len == 126) {
                    if (avail.size() < 4) break;
                    len = (static_cast<unsigned char>(avail[2]) << 8) | static_cast<unsigned char>(avail[3]);
                    head = 4;
                } else if (len == 127) {
                    if (avail.size() < 10) break;
                    len = 0;
                    for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(avail[i]);
                    head = 10;
                }
                if ((b1 & 0x80) != 0) return false;  // a server never masks
                if (len + head > buf_.size()) buf_.resize(len + head);
                if (avail.size() < head + len) break;
                const std::string_view body = avail.substr(head, len);
                begin_ += head + len;
                const unsigned opcode = b0 & 0x0f;
                if (opcode == 9) pings.emplace_back(body);
                else if (opcode == 8) return false;  // closed by the server
                else if (opcode == 1) {
                    constexpr std::string_view message_head = R"({"type":"message","from":")";
                    constexpr std::string_view text_key = R"(","text":")";
                    if (body.starts_with(message_head) && body.ends_with("\"}")) {
                        // The server's own layout, read straight through: the fast path.
                        auto rest = body.substr(message_head.size(), body.size() - message_head.size() - 2);
                        const auto from_end = rest.find('"');
                        if (from_end == std::string_view::npos || !rest.substr(from_end).starts_with(text_key))
                            return false;
                        on(rest.substr(0, from_end), rest.substr(from_end + text_key.size()));
                    } else if (const auto type = json_string(body, R"("type":")"); type == "message") {
                        on(json_string(body, R"("from":")"), json_string(body, R"("text":")"));
                    } else if (type == "joined") {
                        on(std::string_view(), std::string(json_string(body, R"("name":")")) + " joined the chat");
                    }
                }
            } else if (header_) {
                if (avail.size() < 10) break;
                std::string_view head = avail.substr(0, 10);
                while (!head.empty() && head.back() == ' ') head.remove_suffix(1);
                std::size_t len = 0;
                auto [p, ec] = std::from_chars(head.data(), head.data() + head.size(), len);
                if (ec != std::errc() || p != head.data() + head.size()) return false;
                if (len + 10 > buf_.size()) buf_.resize(len + 10);
                if (avail.size() < 10 + len) break;
                std::string_view body = avail.substr(10, len);
                begin_ += 10 + len;
                if (!have_user_) {
                    user_.assign(body);
                    have_user_ = true;
                } else {
                    have_user_ = false;
                    on(std::string_view(user_), body);
                }
            } else {
                const auto nl = avail.find('\n');
                if (nl == std::string_view::npos) {
                    if (avail.size() == buf_.size()) return false;  // a line longer than the buffer
                    break;
                }
                std::string_view line = avail.substr(0, nl);
                begin_ += nl + 1;
                if (raw_) {
                    on(std::string_view("raw"), line);
                    continue;
                }
                const auto colon = line.find(": ");
                if (colon == std::string_view::npos) on(std::string_view(), line);
                else on(line.substr(0, colon), line.substr(colon + 2));
            }
        }
        if (begin_ == end_) begin_ = end_ = 0;
        else if (begin_ > buf_.size() / 2) {
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        return true;
    }

    asio::awaitable<boost::system::error_code> fill(conn& s) {
        if (end_ == buf_.size()) {
            std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        auto [ec, n] = co_await s.async_read_some(asio::buffer(buf_.data() + end_, buf_.size() - end_),
                                                  as_tuple(use_awaitable));
        end_ += n;
        co_return ec;
    }

private:
    bool header_;
    bool raw_;
    bool ws_;
    bool handshake_;
    std::vector<char> buf_;
    std::size_t begin_ = 0, end_ = 0;
    std::string user_;
    bool have_user_ = false;
};

asio::awaitable<void> sender_loop(chat_run& c, std::shared_ptr<conn> s, unsigned k) {
    auto& st = *c.senders[k];
    const bool header = c.o.protocol == "header", ws = c.o.protocol == "ws";
    const auto wire = [&](const std::string& p) { return header ? frame(p) : ws ? ws_say(p) : p + "\n"; };
    asio::steady_timer& wake = *st.wake;
    // Probe until every receiver has seen one message from this sender (joins are then complete).
    while (c.phase.load() < 2) {
        if (c.phase.load() == 1) {
            auto [ec, n] = co_await asio::async_write(*s, asio::buffer(wire(payload(c, k, 0, 0))),
                                                      as_tuple(use_awaitable));
            if (ec) co_return;
        }
        wake.expires_after(std::chrono::milliseconds(c.phase.load() == 1 ? 50 : 1));
        co_await wake.async_wait(as_tuple(use_awaitable));
    }
    const auto start = clock::now();
    std::string out;
    for (std::uint64_t seq = 1;;) {
        auto stamp = clock::now();
        if (c.o.rate > 0) {
            stamp = start + std::chrono::duration_cast<clock::duration>(
                                std::chrono::duration<double>(static_cast<double>(seq - 1) / c.o.rate));
            while (clock::now() < stamp) {  // an acknowledgement may wake the timer early
                wake.expires_at(stamp);
                co_await wake.async_wait(as_tuple(use_awaitable));
            }
        }
        // Unpaced, wait until half the window is free (as TCP avoids silly windows), so the
        // server sees bursts it can batch rather than a trickle of single messages.
        const std::uint64_t open_at = c.o.rate > 0 ? c.o.window : std::max(1u, c.o.window / 2);
        while (seq - st.acked > open_at) {
            wake.expires_after(std::chrono::seconds(10));
            co_await wake.async_wait(as_tuple(use_awaitable));
        }
        if (c.o.rate == 0) stamp = clock::now();
        const auto ns = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(stamp - c.epoch).count());
        // Unpaced, a sender writes every message its window allows in one write, as a client
        // with a backlog would; paced, one message per write.
        const std::uint64_t last = c.o.rate > 0 ? seq : st.acked + c.o.window;
        const std::uint64_t first = seq;
        out.clear();
        for (; seq <= last; ++seq) {
            st.slots[seq % c.o.window].store(static_cast<int>(c.expected));
            st.sent = seq;
            out += wire(payload(c, k, seq, ns));
        }
        auto [ec, n] = co_await asio::async_write(*s, asio::buffer(out), as_tuple(use_awaitable));
        if (ec) co_return;
        if (c.r.recording.load(std::memory_order_relaxed)) c.r.sent += last - first + 1;
    }
}

// Client i on its connected socket `s`.
asio::awaitable<void> client(chat_run& c, unsigned i, std::shared_ptr<conn> s) {
    const auto ex = co_await asio::this_coro::executor;
    const bool header = c.o.protocol == "header", raw = c.o.protocol == "raw", ws = c.o.protocol == "ws";
    const std::string name = name_of(i);
    // Senders of this run only: a previous run's sender may still have messages queued on the
    // server, which would read as gaps and duplicates here.
    const std::string own_prefix = "bench" + std::to_string(::getpid()) + "-";
    const std::string hello = header ? frame(name)
                              : raw  ? std::string()
                              : ws   ? "GET /ws HTTP/1.1\r\nHost: " + c.o.host +
                                         "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                                     : name + "\n";
    bool join_sent = !ws;  // a WebSocket client joins once the server has answered the upgrade
    auto [wec, w] = co_await asio::async_write(*s, asio::buffer(hello), as_tuple(use_awaitable));
    if (wec) {
        c.r.failed++;
        co_return;
    }
    receiver rx{c, std::vector<std::uint64_t>(c.o.senders, 0), std::vector<bool>(c.o.senders, false)};
    inbox in(header, raw, ws);
    // Line clients are ready once they see their own join line; header and raw clients at once (the
    // probes show when the server has them).
    bool joined = header || raw;
    if (joined) {
        c.r.ready++;
        if (i < c.o.senders) asio::co_spawn(ex, sender_loop(c, s, i), asio::detached);
    }
    const std::string joined_line = name + " joined the chat";
    for (;;) {
        const bool ok = in.parse([&](std::string_view user, std::string_view text) {
            if (!joined && user.empty() && text == joined_line) {
                joined = true;
                c.r.ready++;
                if (i < c.o.senders) asio::co_spawn(ex, sender_loop(c, s, i), asio::detached);
                return;
            }
            if (raw) {
                // A relay without framing may splice two senders' bytes: such a line is an error.
                const auto size = payload_size(c.o);
                if (text.size() == size || (text.size() > size && text.back() == ':')) rx.on_message(text);
                else c.r.errors++;
            } else if (user.starts_with(own_prefix)) {
                rx.on_message(text);
            }
        });
        if (!ok) {
            c.r.errors++;
            co_return;
        }
        for (const auto& ping : in.pings) {
            // The server pings only a client that has sent nothing for a while: a receiver, whose
            // socket has no other writer, so this write cannot interleave with a sender's.
            auto [pec, pn] = co_await asio::async_write(*s, asio::buffer(ws_frame(ping, 10)), as_tuple(use_awaitable));
            if (pec) break;
        }
        in.pings.clear();
        if (!join_sent && in.upgraded()) {
            join_sent = true;
            const std::string join = ws_frame(R"({"type":"join","name":")" + name + "\"}");
            auto [jec, jn] = co_await asio::async_write(*s, asio::buffer(join), as_tuple(use_awaitable));
            if (jec) {
                c.r.failed++;
                co_return;
            }
        }
        if (auto ec = co_await in.fill(*s)) {
            if (c.phase.load() >= 1) c.r.disconnected++;
            else c.r.failed++;
            co_return;
        }
    }
}

// A few openers each connect their share one after another, then hand each socket to its client,
// so the listen backlog never overflows (for a raw relay only 8: ncat's backlog is 10).
asio::awaitable<void> opener(chat_run& c, const std::vector<tcp::socket::executor_type>& strands, unsigned first,
                             unsigned step) {
    for (unsigned i = first; i < c.o.clients; i += step) {
        auto s = std::make_shared<conn>(strands[i]);
        // With --sender-port the senders sit on another chat node: every delivery crosses nodes.
        const std::uint16_t port = i < c.o.senders && c.o.sender_port != 0 ? c.o.sender_port : c.o.port;
        // Connected with TCP_NODELAY, and with --tls handshaken.
        if (auto ec = co_await s->open({asio::ip::make_address(c.o.host), port}, c.o.tls)) {
            c.r.failed++;
            c.r.errors++;
            continue;
        }
        asio::co_spawn(strands[i], client(c, i, s), asio::detached);
    }
}

}  // namespace

void chat(const options& o, results& r) {
    asio::io_context io;
    chat_run c{o, r};
    // The header protocol and a raw relay send nothing back to the sender; line and ws do.
    c.expected = o.protocol == "line" || o.protocol == "ws" ? o.clients : o.clients - 1;
    if (c.expected == 0) throw std::runtime_error("the header protocol and raw relays need at least 2 clients");
    std::vector<tcp::socket::executor_type> strands;
    for (unsigned i = 0; i < o.clients; ++i) strands.push_back(asio::make_strand(io));
    for (unsigned k = 0; k < o.senders; ++k) {
        auto st = std::make_unique<sender_state>(o.window);
        st->executor = strands[k];
        st->wake = std::make_shared<asio::steady_timer>(strands[k]);
        c.senders.push_back(std::move(st));
    }
    const unsigned openers = std::min(o.clients, o.protocol == "raw" ? 8u : 64u);
    for (unsigned i = 0; i < openers; ++i) asio::co_spawn(asio::make_strand(io), opener(c, strands, i, openers), asio::detached);
    run_bounded(io, o, r, o.clients, [&]() -> asio::awaitable<void> {
        c.phase = 1;
        asio::steady_timer t(io);
        const unsigned want = o.senders * c.expected;
        const auto give_up = clock::now() + std::chrono::seconds(10);
        while (c.probes_seen.load() < want && clock::now() < give_up) {
            t.expires_after(std::chrono::milliseconds(2));
            co_await t.async_wait(use_awaitable);
        }
        if (c.probes_seen.load() < want) {
            r.setup_incomplete = true;
            r.note = "not every receiver got the senders' probes; ";
        }
        c.phase = 2;
    });
    r.note += o.protocol + " protocol";
    if (o.sender_port != 0) r.note += "; senders on another node";
}

}  // namespace netkit::bench
