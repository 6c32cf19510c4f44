// The command server's pure parts: word splitting, response headers, tokens, allow list, exposure.
#include <netkit/exec/allow_list.hpp>
#include <netkit/exec/command_line.hpp>
#include <netkit/exec/exposure.hpp>
#include <netkit/exec/response_header.hpp>
#include <netkit/exec/token.hpp>

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace netkit;
using namespace netkit::exec;

namespace {
using words = std::vector<std::string>;
words split(std::string_view line) {
    auto r = split_command_line(line);
    BOOST_TEST_REQUIRE(r.ok(), "unexpected error for [" << line << "]: " << r.error);
    return r.words;
}
std::string split_error(std::string_view line) { return split_command_line(line).error; }
}  // namespace

BOOST_AUTO_TEST_SUITE(exec_words)

BOOST_AUTO_TEST_CASE(splits_on_spaces_and_tabs) {
    BOOST_TEST(split("date") == words{"date"});
    BOOST_TEST(split("  echo \t a   b  ") == (words{"echo", "a", "b"}));
    BOOST_TEST(split("").empty());
    BOOST_TEST(split("   \t ").empty());
}

BOOST_AUTO_TEST_CASE(quotes_and_backslashes) {
    BOOST_TEST(split("echo 'a  b' \"c  d\"") == (words{"echo", "a  b", "c  d"}));
    BOOST_TEST(split("echo a' 'b\"c\"d") == (words{"echo", "a bcd"}));
    BOOST_TEST(split("echo '' \"\"") == (words{"echo", "", ""}));
    BOOST_TEST(split(R"(echo a\ b \'x\')") == (words{"echo", "a b", "'x'"}));
    BOOST_TEST(split(R"(echo 'it\'s)") == (words{"echo", "it\\s"}));  // no escapes inside '...'
    BOOST_TEST(split(R"(echo "say \"hi\" \\ \$HOME \n")") == (words{"echo", R"(say "hi" \ $HOME \n)"}));
}

BOOST_AUTO_TEST_CASE(shell_metacharacters_are_plain_text) {
    BOOST_TEST(split("date; rm -rf x") == (words{"date;", "rm", "-rf", "x"}));
    BOOST_TEST(split("echo $(id) `id` $HOME") == (words{"echo", "$(id)", "`id`", "$HOME"}));
    BOOST_TEST(split("echo a|b >c <d &e && f * ~") == (words{"echo", "a|b", ">c", "<d", "&e", "&&", "f", "*", "~"}));
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_errors) {
    BOOST_TEST(split_error("echo 'open").find("single quote") != std::string::npos);
    BOOST_TEST(split_error("echo \"open").find("double quote") != std::string::npos);
    BOOST_TEST(split_error("echo trailing\\").find("backslash") != std::string::npos);
    BOOST_TEST(split_error(std::string_view("echo a\0b", 8)).find("NUL") != std::string::npos);
    // Found by fuzz/regressions/command_line/backslash_nul: an escaped NUL is refused too.
    BOOST_TEST(split_error(std::string_view("echo \\\0", 7)).find("NUL") != std::string::npos);
    BOOST_TEST(split_error(std::string_view("echo \"\\\0\"", 9)).find("NUL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(headers_round_trip) {
    const response_header cases[] = {
        {exec_status::exit, 0, 12, false},   {exec_status::exit, 3, 0, false},
        {exec_status::signal, 9, 5, false},  {exec_status::timeout, 0, 1048576, true},
        {exec_status::denied, 0, 40, false}, {exec_status::error, 0, 7, false},
    };
    for (const auto& h : cases) {
        const std::string line = format_header(h);
        BOOST_TEST(line.back() == '\n');
        const auto back = parse_header(std::string_view(line).substr(0, line.size() - 1));
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST((back->status == h.status));
        BOOST_TEST(back->code == h.code);
        BOOST_TEST(back->length == h.length);
        BOOST_TEST(back->truncated == h.truncated);
    }
    BOOST_TEST(format_header({exec_status::exit, 0, 1048576, true}) == "EXIT 0 1048576 truncated\n");
    for (auto bad : {"", "EXIT", "EXIT 0", "EXIT x 3", "EXIT 0 3 cut", "OK 0 3", "EXIT -1 3", "EXIT 0 -3"})
        BOOST_TEST(!parse_header(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(client_exit_codes) {
    BOOST_TEST(client_exit_code({exec_status::exit, 0, 0, false}) == 0);
    BOOST_TEST(client_exit_code({exec_status::exit, 3, 0, false}) == 3);
    BOOST_TEST(client_exit_code({exec_status::signal, 9, 0, false}) == 137);
    BOOST_TEST(client_exit_code({exec_status::timeout, 0, 0, false}) == 124);
    BOOST_TEST(client_exit_code({exec_status::error, 0, 0, false}) == 125);
    BOOST_TEST(client_exit_code({exec_status::denied, 0, 0, false}) == 126);
}

BOOST_AUTO_TEST_CASE(tokens) {
    BOOST_TEST(token_equals("s3cret", "s3cret"));
    BOOST_TEST(!token_equals("s3cret", "s3creT"));
    BOOST_TEST(!token_equals("s3cret", "s3cret "));
    BOOST_TEST(!token_equals("s3cret", ""));

    char path[] = "/tmp/netkit-token-XXXXXX";
    const int fd = ::mkstemp(path);
    BOOST_TEST_REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(path) << "abc def\nsecond line\n";
    BOOST_TEST(read_token_file(path) == "abc def");
    std::ofstream(path) << "crlf\r\n";
    BOOST_TEST(read_token_file(path) == "crlf");
    std::ofstream(path) << "\nlater";
    BOOST_CHECK_THROW(read_token_file(path), std::runtime_error);
    std::remove(path);
    BOOST_CHECK_THROW(read_token_file(path), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(allow_list_resolves_once_to_absolute_paths) {
    const allow_list allowed(allow_list::default_entries());
    const allow_list::entry* date = allowed.find("date");
    BOOST_TEST_REQUIRE(date != nullptr);
    BOOST_TEST(date->path.front() == '/');
    BOOST_TEST(allowed.find(date->path) == date);  // the resolved path names it too
    BOOST_TEST(allowed.find("rm") == nullptr);
    BOOST_TEST(allowed.find("/bin/rm") == nullptr);
    BOOST_TEST(allowed.find("date;") == nullptr);
    BOOST_TEST(allowed.find("") == nullptr);
    BOOST_TEST(allowed.names() == "date echo hostname uname uptime whoami");
    BOOST_CHECK_THROW(allow_list({"no-such-program-netkit"}), std::runtime_error);
    BOOST_CHECK_THROW(allow_list({"bin/date"}), std::runtime_error);
    BOOST_CHECK_THROW(allow_list({"/etc/passwd"}), std::runtime_error);  // not executable
}

BOOST_AUTO_TEST_CASE(allow_list_entries_state_their_arguments) {
    const allow_list allowed({"uname:-a,-r", "echo:*", "whoami"});
    const auto* uname = allowed.find("uname");
    BOOST_TEST_REQUIRE(uname != nullptr);
    BOOST_TEST(!allow_list::argument_problem(*uname, {}).has_value());
    BOOST_TEST(!allow_list::argument_problem(*uname, {"-r", "-a", "-r"}).has_value());
    BOOST_TEST(allow_list::argument_problem(*uname, {"-a", "-ar"}).value_or("") ==
               "argument '-ar' is not allowed for 'uname' (allowed: -a -r)");
    BOOST_TEST(!allow_list::argument_problem(*allowed.find("echo"), {"-e", "anything at all"}).has_value());
    BOOST_TEST(allow_list::argument_problem(*allowed.find("whoami"), {"x"}).value_or("") ==
               "'whoami' takes no arguments");
    BOOST_TEST(allowed.names() == "uname echo whoami");
    BOOST_CHECK_THROW(allow_list({"uname:"}), std::runtime_error);        // an empty word
    BOOST_CHECK_THROW(allow_list({"uname:-a,,-r"}), std::runtime_error);  // an empty word
    BOOST_CHECK_THROW(allow_list({"uname", "uname:-a"}), std::runtime_error);  // given twice
    // The defaults never take a file or a setting.
    const allow_list defaults(allow_list::default_entries());
    for (const char* name : {"date", "hostname", "uname", "uptime", "whoami"})
        for (const char* risky : {"-f", "-F", "--set", "--file", "/etc/shadow", "name"})
            BOOST_TEST(allow_list::argument_problem(*defaults.find(name), {risky}).has_value(), name << " " << risky);
    BOOST_TEST(allow_list::argument_problem(*defaults.find("date"), {"-s"}).has_value());
}

BOOST_AUTO_TEST_CASE(public_bind_needs_a_token) {
    const auto addr = [](const char* text) { return asio::ip::make_address(text); };
    BOOST_TEST(!exposure_problem(addr("127.0.0.1"), false));
    BOOST_TEST(!exposure_problem(addr("127.8.9.10"), false));
    BOOST_TEST(!exposure_problem(addr("::1"), false));
    BOOST_TEST(!exposure_problem(addr("::ffff:127.0.0.1"), false));
    for (const char* open : {"0.0.0.0", "::", "192.168.1.6", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1"}) {
        const auto problem = exposure_problem(addr(open), false);
        BOOST_TEST_REQUIRE(problem.has_value(), open);
        BOOST_TEST(problem->find("--token-file") != std::string::npos);
        BOOST_TEST(!exposure_problem(addr(open), true), open);
    }
}

BOOST_AUTO_TEST_SUITE_END()
