// Lesson 002, "Sistemi Publish and Subscribe", the subscriber: SUBSCRIBEs to a channel of a Redis
// server and prints every message published there from then on (what was published before is
// gone: Redis pub/sub keeps nothing).
// Usage: lesson-002-pubsub-subscriber [HOST] [PORT] [CHANNEL]   (default 127.0.0.1 6379 lesson-002)
#include "../lesson_args.hpp"

#include <hiredis/hiredis.h>

#include <iostream>
#include <memory>
#include <string>

int main(int argc, char* argv[]) {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-pubsub-subscriber [HOST] [PORT] [CHANNEL]",
                                              "127.0.0.1", "6379", 1);
    const std::string channel = argc > 3 ? argv[3] : "lesson-002";
    std::unique_ptr<redisContext, void (*)(redisContext*)> redis(redisConnect(args.host.c_str(), args.port), redisFree);
    if (!redis || redis->err) {
        std::cerr << "cannot reach Redis at " << args.host << ":" << args.port << ": "
                  << (redis ? redis->errstr : "out of memory") << "\n";
        return 1;
    }
    // 1. SUBSCRIBE channel: from now on this connection only receives messages
    auto* reply = static_cast<redisReply*>(redisCommand(redis.get(), "SUBSCRIBE %b", channel.data(), channel.size()));
    for (;;) {  // 2. wait for the next message: ["message", channel, text]
        if (reply == nullptr) {
            std::cerr << "Redis connection lost: " << redis->errstr << "\n";
            return 1;
        }
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3) {
            const std::string kind(reply->element[0]->str, reply->element[0]->len);
            const std::string text(reply->element[2]->str, reply->element[2]->len);
            if (kind == "subscribe") std::cout << "subscribed to '" << channel << "'" << std::endl;
            if (kind == "message") std::cout << channel << ": " << text << std::endl;
        }
        freeReplyObject(reply);
        void* next = nullptr;
        reply = redisGetReply(redis.get(), &next) == REDIS_OK ? static_cast<redisReply*>(next) : nullptr;
    }
}
