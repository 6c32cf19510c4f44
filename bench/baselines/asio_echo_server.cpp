// The plain Boost.Asio echo server, written the way the Asio tutorial teaches it: one heap session
// per connection kept alive by shared_from_this, a read/write callback chain, a 1 KiB buffer, one
// thread. The only addition is TCP_NODELAY, which netkit sets too, so the comparison is fair.
// usage: asio-echo-baseline PORT (0: any free port; prints "listening on 127.0.0.1:PORT")
#include <boost/asio.hpp>

#include <sys/resource.h>

#include <cstdlib>
#include <iostream>
#include <memory>

using boost::asio::ip::tcp;

class session : public std::enable_shared_from_this<session> {
public:
    explicit session(tcp::socket socket) : socket_(std::move(socket)) {}

    void start() { do_read(); }

private:
    void do_read() {
        auto self(shared_from_this());
        socket_.async_read_some(boost::asio::buffer(data_, max_length),
                                [this, self](boost::system::error_code ec, std::size_t length) {
                                    if (!ec) do_write(length);
                                });
    }

    void do_write(std::size_t length) {
        auto self(shared_from_this());
        boost::asio::async_write(socket_, boost::asio::buffer(data_, length),
                                 [this, self](boost::system::error_code ec, std::size_t) {
                                     if (!ec) do_read();
                                 });
    }

    tcp::socket socket_;
    enum { max_length = 1024 };
    char data_[max_length];
};

class server {
public:
    server(boost::asio::io_context& io, unsigned short port)
        : acceptor_(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)) {
        do_accept();
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

private:
    void do_accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (!ec) {
                socket.set_option(tcp::no_delay(true), ec);
                std::make_shared<session>(std::move(socket))->start();
            }
            do_accept();
        });
    }

    tcp::acceptor acceptor_;
};

int main(int argc, char* argv[]) {
    if (argc != 2) {
        std::cerr << "usage: asio-echo-baseline PORT\n";
        return 2;
    }
    rlimit limit{};  // many idle connections are part of the benchmark
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    boost::asio::io_context io;
    server s(io, static_cast<unsigned short>(std::atoi(argv[1])));
    std::cout << "listening on 127.0.0.1:" << s.port() << std::endl;
    io.run();
}
