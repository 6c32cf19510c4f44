// Lesson 004: what both servers share: the report's texts, byte for byte, its recv(), and the
// command line [HOST] [PORT].
#pragma once

#include <netkit/asio.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/framing/per_read.hpp>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

namespace report {

inline const std::string prompt = "Salve! Digita il tuo Nome seguito dal tasto Invio!";
inline const std::string name_taken = "Il nome scelto è già assegnato, inserire un nome diverso:";
inline const std::string quit = "{quit}";
inline const std::string end_conn = "{end_conn}";
inline std::string welcome(const std::string& name) {
    return "Benvenuto " + name + "! Se vuoi lasciare la Chat, scrivi {quit} per uscire.";
}
inline std::string joined(const std::string& name) { return name + " si è unito alla chat!"; }
inline std::string left(const std::string& name) { return name + " ha abbandonato la Chat."; }

// close_client_connection(): shutdown, not close, since another thread or a queued write may
// still hold the socket; the last owner closes it.
inline void hang_up(netkit::tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.shutdown(netkit::tcp::socket::shutdown_both, ignored);
}

// The report's `names`: valid_name() and names.append() in one step, so two clients cannot take
// the same name at once; names.remove() when a user leaves.
class name_list {
public:
    bool take(const std::string& name) {
        std::scoped_lock lock(mutex_);
        if (std::ranges::count(names_, name)) return false;
        names_.push_back(name);
        return true;
    }
    void give_back(const std::string& name) { std::scoped_lock lock(mutex_); std::erase(names_, name); }

private:
    std::mutex mutex_;
    std::vector<std::string> names_;
};

// client.recv(BUFFSIZE) is one message: no delimiter. A trailing "\n" (from nc) is dropped.
inline constexpr std::size_t buffsize = 1024;
inline std::string message_of(const char* bytes, std::size_t n) {
    netkit::framing::per_read_decoder read(buffsize);
    read.feed({bytes, n});
    return std::string(read.next().value_or(""));
}

// [HOST] [PORT], by default 127.0.0.1 and the report's 53000; --help exits 0, a bad one exits 2.
inline netkit::tcp::endpoint server_address(int argc, char** argv, const std::string& program) {
    const std::string usage = "usage: " + program + " [HOST] [PORT]   (default 127.0.0.1 53000)\n";
    if (argc > 1 && std::string(argv[1]) == "--help") std::cout << usage, std::exit(0);
    try {
        if (argc > 3) throw std::invalid_argument("too many arguments");
        return {netkit::parse_address(argc > 1 ? argv[1] : "127.0.0.1"), netkit::parse_port(argc > 2 ? argv[2] : "53000")};
    } catch (const std::invalid_argument& e) {
        std::cerr << program << ": " << e.what() << "\n" << usage;
        std::exit(2);
    }
}

}  // namespace report
