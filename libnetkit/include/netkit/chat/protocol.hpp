// One chat wire protocol, described in one place: how a client's bytes become messages, how an
// event and the server's texts look to its clients, and its conversation's few rules. The hub and
// the one chat session consult the description; nothing else knows a protocol.
//
// Adding a protocol: derive from `protocol` in one file (src/chat/protocols/NAME.cpp, or a
// program's own file), declare its accessor in protocols.hpp, and serve it with
// session_factory(room, options, log, the_protocol) on a port of its own.
#pragma once

#include <netkit/chat/chat_event.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

// Bytes in, messages out: one of framing/'s decoders behind one interface, so one session reads
// every protocol.
class message_decoder {
public:
    virtual ~message_decoder() = default;
    virtual void feed(std::string_view bytes) = 0;
    // The next message, valid until the next call; nullopt when more bytes are needed. Throws
    // framing::error when the client breaks the framing.
    virtual std::optional<std::string_view> next() = 0;
    // At the end of the stream: a last message without its delimiter, if the framing has one.
    virtual std::optional<std::string_view> finish() { return std::nullopt; }
};

// A framing decoder (feed/next, and finish() if it has one) as a message_decoder.
template <class Decoder>
class framed final : public message_decoder {
public:
    explicit framed(std::size_t max_message) : decoder_(max_message) {}
    void feed(std::string_view bytes) override { decoder_.feed(bytes); }
    std::optional<std::string_view> next() override { return decoder_.next(); }
    std::optional<std::string_view> finish() override {
        if constexpr (requires { decoder_.finish(); }) return decoder_.finish();
        else return std::nullopt;
    }

private:
    Decoder decoder_;
};

// A description is stateless and shared by every session that speaks it; it must outlive them
// (the built-in ones are static, see protocols.hpp).
class protocol {
public:
    virtual ~protocol() = default;

    // "header", "line": in log records and listener labels.
    virtual std::string_view name() const = 0;

    // --- reading
    virtual std::unique_ptr<message_decoder> decoder(std::size_t max_message) const = 0;
    // The message that leaves the chat (also at the name prompt); empty: none, the client just
    // closes the connection.
    virtual std::string_view quit() const { return {}; }

    // --- writing
    // The event as this protocol's clients see it.
    virtual std::string encode(const chat_event& event) const = 0;
    // A text from the server to one client. Every text below goes out through it.
    virtual std::string notice(std::string_view text) const = 0;

    // --- the conversation's texts (empty: nothing is sent)
    // Asking for a name, on connect.
    virtual std::string_view prompt() const { return {}; }
    // A refused name: what the client is told; then, if it may try again, prompt_again().
    virtual std::string refusal(std::string_view why) const { return "name refused: " + std::string(why); }
    virtual bool asks_again() const { return true; }  // false: the connection closes after a refusal
    virtual std::string_view prompt_again() const { return prompt(); }
    // Once the name is accepted, before the join notice. `present` counts the members with the
    // newcomer; `big_room`: above announce_limit, where joins are announced in batches.
    virtual std::string welcome(std::string_view name, std::size_t present, bool big_room) const;
    // To a user who joined while the other nodes of the chat could not be reached.
    virtual std::string checked_here_only() const;
    // To a user renamed because another node's earlier claim on its name won after a split.
    virtual std::string renamed(std::string_view old_name, std::string_view new_name) const;
    // The last text before the connection closes at shutdown.
    virtual std::string_view goodbye() const = 0;

    // --- how the hub delivers
    // Whether a sender gets its own message back (lesson 003's header clients do not).
    virtual bool echoes_sender() const { return true; }
    // Whether several messages that arrived together may reach a client as one buffer (one send).
    // No for a protocol whose client takes whatever one recv() returns as one message.
    virtual bool joins_bursts() const { return true; }
};

}  // namespace netkit::chat
