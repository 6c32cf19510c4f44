#include <netkit/exec/exec_session.hpp>

#include <netkit/endpoint.hpp>
#include <netkit/exec/command_line.hpp>
#include <netkit/exec/token.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <chrono>

namespace netkit::exec {

namespace {
constexpr std::string_view auth_prefix = "AUTH ";
}

exec_session::exec_session(stream s, std::shared_ptr<exec_service> service)
    : tcp_session(std::move(s)),
      service_(std::move(service)),
      // A last request the peer ended with EOF instead of "\n" still counts.
      lines_(service_->options().max_line, line_reader::unterminated::line) {}

asio::awaitable<void> exec_session::run() {
    using namespace asio::experimental::awaitable_operators;
    if (service_->options().token) {
        // Idle connections must not hold the server's connection slots (and lock the rightful
        // user out) for longer than a login takes.
        asio::steady_timer deadline(stream_.get_executor(), service_->options().login_timeout);
        const auto done = co_await (authenticate() || deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (done.index() == 1) {
            service_->log().warn("exec: ", netkit::to_string(remote_), " did not log in within ",
                                 service_->options().login_timeout.count(), " ms; closing");
            stream_.close();
            co_return;
        }
        if (!std::get<0>(done)) co_return;
    }
    for (;;) {
        auto [ec, line] = co_await lines_.async_read(stream_);
        if (ec == asio::error::message_size) {
            // The rest of that line is still on its way: we could not tell where the next request
            // starts, so we answer and close rather than guess.
            co_await send(refusal(exec_status::error, "request line longer than " +
                                                          std::to_string(service_->options().max_line) +
                                                          " bytes; closing the connection"));
            co_await drain_and_close();
            co_return;
        }
        if (ec) break;
        const auto done = co_await (handle(line) || cancel_when_peer_gone());
        if (peer_gone_) {
            service_->log().info("exec: ", netkit::to_string(remote_), " went away; its request was cancelled");
            co_return;
        }
        if (!co_await send(std::get<0>(done))) co_return;
    }
    co_await stream_.shutdown_send();
    stream_.close();
}

void exec_session::on_stop_requested() {
    stopping_ = true;
    tcp_session::on_stop_requested();
    service_->slots().abandon(waiting_);
    control_.cancel();
}

asio::awaitable<bool> exec_session::authenticate() {
    auto [ec, line] = co_await lines_.async_read(stream_);
    const bool too_long = ec == asio::error::message_size;
    if (ec && !too_long) co_return false;
    std::string_view problem;
    if (too_long || !line.starts_with(auth_prefix))
        problem = "expected AUTH <token> as the first line";
    else if (!token_equals(*service_->options().token, std::string_view(line).substr(auth_prefix.size())))
        problem = "wrong token";
    if (problem != "expected AUTH <token> as the first line") {
        // Every AUTH answer waits its turn among those of the same address, so that parallel
        // connections cannot tell a right guess sooner than one connection could.
        asio::steady_timer pause(stream_.get_executor(),
                                 service_->throttle().answer_time(remote_.address(), problem.empty()));
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const std::string answer = problem.empty() ? "OK\n" : "ERR " + std::string(problem) + "\n";
    auto [write_error, n] =
        co_await asio::async_write(stream_, asio::buffer(answer), asio::as_tuple(asio::use_awaitable));
    if (problem.empty()) co_return !write_error;
    service_->log().warn("exec: ", netkit::to_string(remote_), " refused: ", problem);
    co_await drain_and_close();
    co_return false;
}

// Runs beside a request: when the connection is gone (reset by the peer, e.g. closed with our
// answer or its own data unread) the request is abandoned, whether it waits for a slot or runs.
// Input that arrives meanwhile (a pipelined request) or a half-close (the peer has sent its last
// request and waits for the answers) leaves it alone. Never completes by itself: the request does.
asio::awaitable<exec_session::response> exec_session::cancel_when_peer_gone() {
    // The first wait notices anything; after that only an error or hang-up can wake us, so data
    // left unread in the socket does not wake us again and again. Readiness of the socket itself,
    // under TLS too: nothing is read here.
    for (auto what = tcp::socket::wait_read;; what = tcp::socket::wait_error) {
        auto [ec] = co_await stream_.socket().async_wait(what, asio::as_tuple(asio::use_awaitable));
        if (ec) break;  // the request ended, or the server closed the socket
        tcp_info info{};
        socklen_t size = sizeof info;
        if (::getsockopt(stream_.socket().native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) == 0 &&
            info.tcpi_state == TCP_CLOSE) {
            peer_gone_ = true;
            service_->slots().abandon(waiting_);
            control_.cancel();
            break;
        }
    }
    asio::steady_timer never(stream_.get_executor(), asio::steady_timer::time_point::max());
    co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return response{};
}

exec_session::response exec_session::refusal(exec_status status, std::string why) {
    why += "\n";
    return {{.status = status, .code = 0, .length = why.size()}, std::move(why)};
}

asio::awaitable<exec_session::response> exec_session::handle(const std::string& line) {
    const exec_options& options = service_->options();
    std::string program;
    std::vector<std::string> argv;
    if (options.allow_shell) {
        program = "/bin/sh";
        argv = {"sh", "-c", line};
    } else {
        split_result split = split_command_line(line);
        if (!split.ok()) co_return refusal(exec_status::error, "cannot split the line: " + split.error);
        if (split.words.empty()) co_return refusal(exec_status::error, "empty command");
        const allow_list::entry* allowed = service_->allowed().find(split.words.front());
        if (!allowed) {
            service_->log().info("exec: ", netkit::to_string(remote_), " denied '", split.words.front(), "'");
            co_return refusal(exec_status::denied, "'" + split.words.front() +
                                                       "' is not an allowed program (allowed: " +
                                                       service_->allowed().names() + ")");
        }
        const std::vector<std::string> args(split.words.begin() + 1, split.words.end());
        if (auto problem = allow_list::argument_problem(*allowed, args)) {
            service_->log().info("exec: ", netkit::to_string(remote_), " denied: ", *problem);
            co_return refusal(exec_status::denied, *problem);
        }
        program = allowed->path;
        argv = std::move(split.words);
    }

    process_slots::permit slot = co_await service_->slots().acquire(waiting_);
    if (!slot || stopping_ || control_.cancelled())
        co_return refusal(exec_status::error, "the server is shutting down");
    service_->log().debug("exec: ", netkit::to_string(remote_), " runs ", program);
    run_result run;
    {
        metrics::gauge_hold running(options.metrics ? &options.metrics->running : nullptr);
        run = co_await run_command(program, argv, options.run, &control_);
    }
    slot.reset();
    if (options.metrics && run.end == run_end::timed_out) options.metrics->timed_out.add();

    response r;
    switch (run.end) {
    case run_end::failed: co_return refusal(exec_status::error, run.error);
    case run_end::cancelled: co_return refusal(exec_status::error, "the server is shutting down");
    case run_end::timed_out: r.header.status = exec_status::timeout; break;
    case run_end::signaled:
        r.header.status = exec_status::signal;
        r.header.code = run.code;
        break;
    case run_end::exited:
        r.header.status = exec_status::exit;
        r.header.code = run.code;
        break;
    }
    r.header.length = run.output.size();
    r.header.truncated = run.truncated;
    r.body = std::move(run.output);
    co_return r;
}

asio::awaitable<bool> exec_session::send(const response& r) {
    const std::string header = format_header(r.header);
    const std::array<asio::const_buffer, 2> parts{asio::buffer(header), asio::buffer(r.body)};
    auto [ec, n] = co_await asio::async_write(stream_, parts, asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

tcp_server::session_factory exec_session_factory(std::shared_ptr<exec_service> service) {
    return [service](stream s) { return std::make_shared<exec_session>(std::move(s), service); };
}

}  // namespace netkit::exec
