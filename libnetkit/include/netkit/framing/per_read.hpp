// No framing at all: whatever one read returns is one message, as in the lesson 004 report's
// Python programs (`msg = client.recv(1024)`). TCP does not keep message boundaries, so this only
// works while each side sends one message and then waits, as people typing in a chat do; it exists
// so those programs can talk to netkit. New protocols should use lines or length headers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::framing {

class per_read_decoder {
public:
    // A read longer than max_message bytes becomes several messages of at most that size.
    explicit per_read_decoder(std::size_t max_message);

    // One read's bytes. A trailing "\n" or "\r\n" is dropped (what nc and telnet add).
    void feed(std::string_view bytes);
    // The next message, valid until the next feed()/next(); nullopt when the read is used up.
    std::optional<std::string_view> next();

private:
    std::size_t max_message_;
    std::string pending_;
    std::size_t consumed_ = 0;
};

}  // namespace netkit::framing
