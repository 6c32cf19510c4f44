// One connection to the command server: optional AUTH, then request lines answered one at a time.
#pragma once

#include <netkit/exec/exec_service.hpp>
#include <netkit/exec/process_slots.hpp>
#include <netkit/exec/response_header.hpp>
#include <netkit/exec/run_command.hpp>
#include <netkit/line_reader.hpp>
#include <netkit/tcp_server.hpp>
#include <netkit/tcp_session.hpp>

#include <memory>
#include <optional>
#include <string>

namespace netkit::exec {

class exec_session : public tcp_session {
public:
    exec_session(stream s, std::shared_ptr<exec_service> service);
    asio::awaitable<void> run() override;

protected:
    // Stops reading and ends a waiting or running command, so shutdown never waits for --timeout.
    void on_stop_requested() override;

private:
    struct response {
        response_header header;
        std::string body;
    };
    asio::awaitable<bool> authenticate();
    asio::awaitable<response> handle(const std::string& line);
    asio::awaitable<response> cancel_when_peer_gone();
    asio::awaitable<bool> send(const response& r);
    static response refusal(exec_status status, std::string why);

    std::shared_ptr<exec_service> service_;
    line_reader lines_;
    std::shared_ptr<process_slots::ticket> waiting_;
    run_control control_;
    bool stopping_ = false;
    bool peer_gone_ = false;
};

// For tcp_server: one exec_session per connection, sharing `service` (kept alive by them).
tcp_server::session_factory exec_session_factory(std::shared_ptr<exec_service> service);

}  // namespace netkit::exec
