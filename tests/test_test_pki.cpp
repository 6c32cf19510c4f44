// The TLS tests' throw-away PKI verifies the way the tests expect: `openssl verify` is the judge.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_pki.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(test_pki)

namespace {
// Runs `openssl verify` and returns whether it accepted the chain.
bool verifies(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/openssl", "verify"};
    argv.insert(argv.end(), args.begin(), args.end());
    netkit::test::child_process openssl(argv);
    const auto said = openssl.read_all(std::chrono::seconds(20));  // "FILE: OK" or the reason
    BOOST_TEST_MESSAGE(said);
    const auto status = openssl.wait(std::chrono::seconds(20));
    BOOST_REQUIRE(status.has_value());
    return *status == 0;
}
}  // namespace

BOOST_AUTO_TEST_CASE(certificates_verify_as_described) {
    netkit::test::temp_dir dir;
    const netkit::test::test_pki pki(dir.path);
    BOOST_TEST(verifies({"-CAfile", pki.ca.string(), "-verify_hostname", "localhost", pki.server.cert.string()}));
    BOOST_TEST(verifies({"-CAfile", pki.ca.string(), "-verify_ip", "127.0.0.1", pki.renewed.cert.string()}));
    BOOST_TEST(!verifies({"-CAfile", pki.ca.string(), pki.expired.cert.string()}));
    BOOST_TEST(!verifies({"-CAfile", pki.ca.string(), "-verify_hostname", "localhost", pki.wrong_host.cert.string()}));
    BOOST_TEST(!verifies({"-CAfile", pki.ca.string(), pki.untrusted.cert.string()}));
    BOOST_TEST(verifies({"-CAfile", pki.ca.string(), "-purpose", "sslclient", pki.client.cert.string()}));
    BOOST_TEST(!verifies({"-CAfile", pki.ca.string(), pki.stranger.cert.string()}));
    BOOST_TEST(netkit::test::certificate_subject(pki.renewed.cert) == "CN=localhost renewed");
}

BOOST_AUTO_TEST_SUITE_END()
