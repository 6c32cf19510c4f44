// Every number an operator types is checked: out of range or malformed is a usage error (exit 2)
// naming the option, never a value that wraps around; and every program tells its version.
#include "support/child_process.hpp"

#include <netkit/version.hpp>

#include <boost/test/unit_test.hpp>

using netkit::test::child_process;

namespace {

const std::string exe = NETKIT_EXE;

struct outcome {
    std::string output;  // standard output and standard error together
    int status = -1;
};

outcome run(const std::vector<std::string>& words) {
    std::string command = "exec '" + exe + "'";
    for (const auto& w : words) command += " '" + w + "'";
    child_process p({"/bin/sh", "-c", command + " 2>&1"});
    outcome o;
    o.output = p.read_all();
    o.status = p.wait().value_or(-1);
    return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_limits)

BOOST_AUTO_TEST_CASE(negative_huge_and_malformed_numbers_exit_2_naming_the_option) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"serve", "echo", "--threads", "-1"}, "--threads"},
        {{"serve", "echo", "--threads", "100000"}, "--threads"},
        {{"serve", "echo", "--max-connections", "-1"}, "--max-connections"},
        {{"serve", "echo", "--max-connections", "0"}, "--max-connections"},
        {{"serve", "echo", "--max-per-address", "-1"}, "--max-per-address"},
        {{"serve", "echo", "--port", "-1"}, "--port"},
        {{"serve", "echo", "--port", "65536"}, "--port"},
        {{"serve", "echo", "--workers", "0"}, "--workers"},
        {{"serve", "echo", "--workers", "1e3"}, "--workers"},
        {{"serve", "date", "--port", "12ab"}, "--port"},
        {{"serve", "date", "--threads", ""}, "--threads"},
        {{"serve", "echo", "--bind", "nowhere"}, "--bind"},
    };
    for (const auto& [words, option] : cases) {
        const auto o = run(words);
        BOOST_TEST(o.status == 2, words[1] << " " << words[2] << " " << words[3]);
        BOOST_TEST(o.output.find(option) != std::string::npos, o.output);
        BOOST_TEST(o.output.find("listening on") == std::string::npos, o.output);
    }
}

BOOST_AUTO_TEST_CASE(every_command_tells_its_version) {
    const std::string expected = "netkit " + std::string(netkit::version) + "\n";
    for (const auto& words : std::vector<std::vector<std::string>>{
             {"--version"}, {"serve", "echo", "--version"}, {"serve", "chat", "--version"}, {"chat", "--version"}}) {
        const auto o = run(words);
        BOOST_TEST(o.status == 0);
        BOOST_TEST(o.output == expected);
    }
}

BOOST_AUTO_TEST_SUITE_END()
