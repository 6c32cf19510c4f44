// redis::parse_url and redis::address: the generic Redis URL, whatever its path is used for.
#include <netkit/redis/url.hpp>

#include <boost/test/unit_test.hpp>

using namespace netkit;

BOOST_AUTO_TEST_SUITE(redis_url)

BOOST_AUTO_TEST_CASE(parts_and_defaults) {
    std::string error;
    auto u = redis::parse_url("redis://cache.local", error);
    BOOST_REQUIRE(u);
    BOOST_TEST(u->host == "cache.local");
    BOOST_TEST(u->port == 6379);
    BOOST_TEST(u->path.empty());
    u = redis::parse_url("redis://[::1]:6380/any/path here", error);
    BOOST_REQUIRE(u);
    BOOST_TEST(u->host == "::1");
    BOOST_TEST(u->port == 6380);
    BOOST_TEST(u->path == "any/path here");  // not checked here: its user decides
    BOOST_TEST(error.empty());
    for (const char* bad : {"", "http://x:1", "redis://", "redis://:6379", "redis://h:0", "redis://h:65536",
                            "redis://h:12a", "redis://h:", "redis://[::1", "redis://[::1]x", "redis://h:-1"}) {
        BOOST_TEST(!redis::parse_url(bad, error), bad);
        BOOST_TEST(!error.empty(), bad);
    }
}

BOOST_AUTO_TEST_CASE(addresses_for_logs) {
    BOOST_TEST(redis::address("127.0.0.1", 6379) == "127.0.0.1:6379");
    BOOST_TEST(redis::address("::1", 6380) == "[::1]:6380");
}

BOOST_AUTO_TEST_SUITE_END()
