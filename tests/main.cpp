// The test module; suites live in tests/test_*.cpp.
#define BOOST_TEST_MODULE netkit
#include <boost/test/unit_test.hpp>
