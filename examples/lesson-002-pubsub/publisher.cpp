// Lesson 002, "Sistemi Publish and Subscribe", the publisher: every line typed is PUBLISHed on a
// channel of a Redis server. The publisher never learns who the subscribers are: Redis (the
// broker) only tells how many received the message.
// Usage: lesson-002-pubsub-publisher [HOST] [PORT] [CHANNEL]   (default 127.0.0.1 6379 lesson-002)
#include "../lesson_args.hpp"

#include <hiredis/hiredis.h>

#include <iostream>
#include <memory>
#include <string>

int main(int argc, char* argv[]) {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-pubsub-publisher [HOST] [PORT] [CHANNEL]",
                                              "127.0.0.1", "6379", 1);
    const std::string channel = argc > 3 ? argv[3] : "lesson-002";
    // 1. connect to the broker (not to the subscribers)
    std::unique_ptr<redisContext, void (*)(redisContext*)> redis(redisConnect(args.host.c_str(), args.port), redisFree);
    if (!redis || redis->err) {
        std::cerr << "cannot reach Redis at " << args.host << ":" << args.port << ": "
                  << (redis ? redis->errstr : "out of memory") << "\n";
        return 1;
    }
    std::cout << "publishing on '" << channel << "': type a message per line" << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
        // 2. PUBLISH channel message: the broker forwards it to whoever is subscribed right now
        auto* reply = static_cast<redisReply*>(redisCommand(redis.get(), "PUBLISH %b %b", channel.data(),
                                                            channel.size(), line.data(), line.size()));
        if (reply == nullptr) {
            std::cerr << "Redis connection lost: " << redis->errstr << "\n";
            return 1;
        }
        std::cout << "received by " << reply->integer << " subscriber(s)" << std::endl;
        freeReplyObject(reply);
    }
    return 0;
}
