// `netkit serve files`, `netkit put` and `netkit get` as a user runs them, and the lesson 002
// example: a 200 MiB round trip, refusals, checksum mismatches, an unreachable server.
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

#include <netkit/asio.hpp>
#include <netkit/files/digest.hpp>
#include <netkit/files/sha256.hpp>
#include <netkit/files/unique_fd.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace netkit;
using namespace netkit::files;
using netkit::test::child_process;
namespace fs = std::filesystem;

namespace {

const std::string exe = NETKIT_EXE;
const fs::path examples = fs::path(NETKIT_BINARY_DIR) / "examples" / "lesson-002-file-copy";

// Every test directory of this file is named netkit-files-cli-XXXXXX.
struct temp_dir : test::temp_dir {
    temp_dir() : test::temp_dir("netkit-files-cli") {}
};
using test::read_file;
using test::write_file;

std::string sha256_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> chunk(1 << 20);
    sha256 h;
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
        h.update(std::span<const char>(chunk.data(), static_cast<std::size_t>(in.gcount())));
    return h.hex_digest();
}

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

// `mib` MiB of pseudo-random bytes (each MiB block distinct), written in 1 MiB blocks; returns
// the SHA-256 computed while writing.
std::string write_big_file(const fs::path& p, std::size_t mib) {
    std::vector<std::uint64_t> block((1 << 20) / sizeof(std::uint64_t));
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (auto& w : block) {  // splitmix64
        x += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        w = z ^ (z >> 31);
    }
    std::ofstream out(p, std::ios::binary);
    sha256 h;
    for (std::size_t i = 0; i < mib; ++i) {
        block[0] = i;
        const std::span<const char> bytes(reinterpret_cast<const char*>(block.data()), 1 << 20);
        h.update(bytes);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    return h.hex_digest();
}

// Runs a client with its stderr joined to its stdout, so the test reads its messages too.
std::unique_ptr<child_process> run_joined(std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1"});
    return std::make_unique<child_process>(argv);
}

struct finished {
    int status;
    std::string output;
};

finished run(std::vector<std::string> argv, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    auto child = run_joined(std::move(argv));
    std::string output = child->read_all(timeout);
    return {child->wait(timeout).value_or(-1), output};
}

// A port nobody listens on: bound once by us, then released.
std::string closed_port() {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return std::to_string(a.local_endpoint().port());
}

// `netkit serve files` on an ephemeral port, serving tmp/store.
struct cli_fixture {
    temp_dir tmp;
    fs::path dir = tmp.path / "store";
    std::unique_ptr<child_process> server;
    std::string port;

    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{exe, "serve", "files", "--dir", dir.string(), "--port", "0", "--log-level", "warn"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        server = std::make_unique<child_process>(argv);
        port = std::to_string(server->wait_listening());
    }
    ~cli_fixture() {
        if (server) {
            server->signal(SIGTERM);
            server->wait();
        }
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(files_cli)

BOOST_FIXTURE_TEST_CASE(round_trip_of_200_mib_with_matching_hashes, cli_fixture) {
    start();
    fs::create_directories(tmp.path / "src");
    const auto original = tmp.path / "src" / "big.bin";
    const std::string hash = write_big_file(original, 200);

    const auto t0 = std::chrono::steady_clock::now();
    const auto put = run({exe, "put", "127.0.0.1", port, original.string(), "--digest", "sha256"});
    const auto t1 = std::chrono::steady_clock::now();
    BOOST_TEST(put.status == 0, put.output);
    BOOST_TEST(put.output.find("sha256 " + hash) != std::string::npos, put.output);
    BOOST_TEST(put.output.find('\r') == std::string::npos);  // no progress bar: stderr is no terminal
    BOOST_TEST(sha256_of(dir / "big.bin") == hash);

    const auto copy = tmp.path / "copy.bin";
    const auto get = run({exe, "get", "127.0.0.1", port, "big.bin", "-o", copy.string()});
    const auto t2 = std::chrono::steady_clock::now();
    BOOST_TEST(get.status == 0, get.output);
    BOOST_TEST(fs::file_size(copy) == 200U << 20);
    BOOST_TEST(sha256_of(copy) == hash);
    unique_fd copied(::open(copy.c_str(), O_RDONLY | O_CLOEXEC));
    const std::string xxh = digest_of_file(digest_kind::xxh128, copied.get(), 200U << 20);
    BOOST_TEST(get.output.find("xxh128 " + xxh) != std::string::npos, get.output);  // the default digest
    BOOST_TEST(entries(tmp.path) == (std::set<std::string>{"src", "store", "copy.bin"}));  // no partial file left

    using ms = std::chrono::milliseconds;
    BOOST_TEST_MESSAGE("200 MiB: put " << std::chrono::duration_cast<ms>(t1 - t0).count() << " ms, get "
                                       << std::chrono::duration_cast<ms>(t2 - t1).count() << " ms");
}

BOOST_FIXTURE_TEST_CASE(get_to_standard_output_and_refusals, cli_fixture) {
    start({"--max-file-size", "1K"});
    write_file(tmp.path / "note.txt", "a short note\n");
    BOOST_TEST(run({exe, "put", "127.0.0.1", port, (tmp.path / "note.txt").string(), "--name", "the note"}).status == 0);

    child_process to_stdout({exe, "get", "127.0.0.1", port, "the note", "-o", "-"});
    BOOST_TEST(to_stdout.read_all() == "a short note\n");
    BOOST_TEST(to_stdout.wait().value_or(-1) == 0);

    fs::create_directory(tmp.path / "downloads");  // -o DIR saves NAME inside it
    BOOST_TEST(run({exe, "get", "127.0.0.1", port, "the note", "-o", (tmp.path / "downloads").string()}).status == 0);
    BOOST_TEST(read_file(tmp.path / "downloads" / "the note") == "a short note\n");

    // A refused download leaves an existing destination as it was.
    write_file(tmp.path / "keep", "keep me");
    const auto missing = run({exe, "get", "127.0.0.1", port, "nothing here", "-o", (tmp.path / "keep").string()});
    BOOST_TEST(missing.status == 1);
    BOOST_TEST(missing.output.find("no such file") != std::string::npos, missing.output);
    BOOST_TEST(read_file(tmp.path / "keep") == "keep me");

    write_file(tmp.path / "large", std::string(2000, 'x'));
    const auto too_big = run({exe, "put", "127.0.0.1", port, (tmp.path / "large").string()});
    BOOST_TEST(too_big.status == 1);
    BOOST_TEST(too_big.output.find("over the limit") != std::string::npos, too_big.output);

    const auto bad_name = run({exe, "put", "127.0.0.1", port, (tmp.path / "note.txt").string(), "--name", "../x"});
    BOOST_TEST(bad_name.status == 2, bad_name.output);
    const auto no_file = run({exe, "put", "127.0.0.1", port, (tmp.path / "absent").string()});
    BOOST_TEST(no_file.status == 1);
    BOOST_TEST(no_file.output.find("cannot open") != std::string::npos, no_file.output);
    BOOST_TEST(entries(tmp.path) == (std::set<std::string>{"store", "note.txt", "downloads", "keep", "large"}));
    BOOST_TEST(entries(dir) == std::set<std::string>{"the note"});
}

BOOST_AUTO_TEST_CASE(clients_against_a_stopped_server_fail_with_a_clear_message) {
    temp_dir tmp;
    write_file(tmp.path / "f", "data");
    std::string port;
    {
        child_process server({exe, "serve", "files", "--dir", (tmp.path / "store").string(), "--port", "0"});
        port = std::to_string(server.wait_listening());
        server.signal(SIGTERM);
        BOOST_TEST_REQUIRE(server.wait().value_or(-1) == 0);
    }
    for (const auto& p : {port, closed_port()}) {
        const auto put = run({exe, "put", "127.0.0.1", p, (tmp.path / "f").string()});
        BOOST_TEST(put.status == 1);
        BOOST_TEST(put.output.find("netkit put: cannot connect to 127.0.0.1:" + p) != std::string::npos, put.output);
        const auto get = run({exe, "get", "127.0.0.1", p, "f", "-o", (tmp.path / "out").string()});
        BOOST_TEST(get.status == 1);
        BOOST_TEST(get.output.find("netkit get: cannot connect to 127.0.0.1:" + p) != std::string::npos, get.output);
    }
    BOOST_TEST(!fs::exists(tmp.path / "out"));
}

// A server that lies about the hash: both clients must notice and fail.
BOOST_AUTO_TEST_CASE(clients_detect_a_checksum_mismatch) {
    temp_dir tmp;
    write_file(tmp.path / "f", "hello");
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const std::string port = std::to_string(acceptor.local_endpoint().port());
    const std::string wrong(64, '0');
    std::jthread fake([&] {
        try {
            for (int i = 0; i < 2; ++i) {
                tcp::socket s = acceptor.accept();
                std::string in;
                const auto n = asio::read_until(s, asio::dynamic_buffer(in), '\n');
                if (in.starts_with("PUT ")) {
                    asio::write(s, asio::buffer(std::string("OK\n")));
                    if (in.size() < n + 5) asio::read(s, asio::dynamic_buffer(in), asio::transfer_exactly(n + 5 - in.size()));
                    asio::write(s, asio::buffer("DONE " + wrong + "\n"));
                } else {
                    asio::write(s, asio::buffer("OK 5\nhelloDONE " + wrong + "\n"));
                }
                boost::system::error_code ec;
                asio::read(s, asio::dynamic_buffer(in), ec);  // until the client hangs up
            }
        } catch (const std::exception&) {
        }
    });
    const auto put = run({exe, "put", "127.0.0.1", port, (tmp.path / "f").string()});
    BOOST_TEST(put.status == 1);
    BOOST_TEST(put.output.find("checksum mismatch") != std::string::npos, put.output);
    const auto get = run({exe, "get", "127.0.0.1", port, "f", "-o", (tmp.path / "copy").string()});
    BOOST_TEST(get.status == 1);
    BOOST_TEST(get.output.find("checksum mismatch") != std::string::npos, get.output);
    BOOST_TEST(entries(tmp.path) == std::set<std::string>{"f"});  // no copy, no partial file
}

// The file system refuses the blocks (here a file size limit, as a full disk would): ERR as soon as
// the write fails, nothing left behind, and the server goes on.
BOOST_FIXTURE_TEST_CASE(a_refusing_file_system_is_an_err_and_leaves_nothing, cli_fixture) {
    std::vector<std::string> argv{"/bin/sh", "-c", "ulimit -f 2048 && exec \"$0\" \"$@\"", exe, "serve", "files",
                                  "--dir", dir.string(), "--port", "0", "--log-level", "error"};
    server = std::make_unique<child_process>(argv);
    port = std::to_string(server->wait_listening());
    write_file(tmp.path / "big", std::string(4 << 20, 'b'));
    const auto refused = run({exe, "put", "127.0.0.1", port, (tmp.path / "big").string()});
    BOOST_TEST(refused.status == 1);
    BOOST_TEST(refused.output.find("netkit put: server: not enough space for 'big'") != std::string::npos, refused.output);
    BOOST_TEST(entries(dir).empty());
    write_file(tmp.path / "small", std::string(1000, 's'));
    BOOST_TEST(run({exe, "put", "127.0.0.1", port, (tmp.path / "small").string()}).status == 0);
    BOOST_TEST(entries(dir) == std::set<std::string>{"small"});
}

BOOST_AUTO_TEST_CASE(serve_files_options) {
    temp_dir tmp;
    const auto bad_size = run({exe, "serve", "files", "--dir", tmp.path.string(), "--max-file-size", "12Q"});
    BOOST_TEST(bad_size.status == 2);
    BOOST_TEST(bad_size.output.find("--max-file-size") != std::string::npos, bad_size.output);
    const auto help = run({exe, "serve", "files", "--help"});
    BOOST_TEST(help.status == 0);
    BOOST_TEST(help.output.find("--idle-timeout") != std::string::npos);
    BOOST_TEST(help.output.find("--login-timeout") != std::string::npos);
    BOOST_TEST(help.output.find("--max-in-flight") != std::string::npos);
    BOOST_TEST(run({exe, "put", "--help"}).status == 0);
    BOOST_TEST(run({exe, "get", "127.0.0.1"}).status == 2);

    // Every numeric option is checked and named; nothing is started.
    const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
        {{"--port", "70000"}, "--port"},
        {{"--port", "-1"}, "--port"},
        {{"--max-in-flight", "12Q"}, "--max-in-flight"},
        {{"--max-in-flight", "1M"}, "--max-in-flight"},  // under --max-file-size (4G)
        {{"--min-free", "-1"}, "--min-free"},
        {{"--login-timeout", "-1"}, "--login-timeout"},
        {{"--login-timeout", "0"}, "--login-timeout"},
        {{"--idle-timeout", "nan"}, "--idle-timeout"},
    };
    for (const auto& [args, option] : refused) {
        std::vector<std::string> argv{exe, "serve", "files", "--dir", (tmp.path / "never").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run(argv);
        BOOST_TEST(r.status == 2, args[0] << " " << args[1]);
        BOOST_TEST(r.output.find(option) != std::string::npos, r.output);
    }
    BOOST_TEST(!fs::exists(tmp.path / "never"));
    write_file(tmp.path / "f", "x");
    for (const char* command : {"put", "get"}) {
        const std::string what = command == std::string("put") ? (tmp.path / "f").string() : "f";
        const auto bad_digest = run({exe, command, "127.0.0.1", "1", what, "--digest", "md5"});
        BOOST_TEST(bad_digest.status == 2, command);
        BOOST_TEST(bad_digest.output.find("--digest must be xxh128 or sha256") != std::string::npos, bad_digest.output);
        const auto bad_port = run({exe, command, "127.0.0.1", "70000", what});
        BOOST_TEST(bad_port.status == 2, command);
        BOOST_TEST(bad_port.output.find("--port") != std::string::npos, bad_port.output);
    }
}

BOOST_AUTO_TEST_CASE(lesson_example_asks_for_the_file_and_copies_it,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         return fs::exists(examples / "lesson-002-file-copy-client");  // examples built
                     })) {
    temp_dir tmp;
    write_file(tmp.path / "notes.txt", "remote copy procedure\n");
    child_process server({(examples / "lesson-002-file-copy-server").string(), "127.0.0.1", "0", (tmp.path / "backup").string()});
    const std::string port = std::to_string(server.wait_listening());
    child_process client({(examples / "lesson-002-file-copy-client").string(), "127.0.0.1", port});
    client.write_stdin((tmp.path / "notes.txt").string() + "\n");
    client.close_stdin();
    const std::string transcript = client.read_all();
    BOOST_TEST(client.wait().value_or(-1) == 0, transcript);
    BOOST_TEST(transcript.find("File to copy: ") != std::string::npos, transcript);
    BOOST_TEST(transcript.find("-> PUT notes.txt 22") != std::string::npos, transcript);
    BOOST_TEST(transcript.find("<- OK") != std::string::npos, transcript);
    BOOST_TEST(transcript.find("<- DONE ") != std::string::npos, transcript);
    BOOST_TEST(read_file(tmp.path / "backup" / "notes.txt") == "remote copy procedure\n");
    server.signal(SIGTERM);
    BOOST_TEST(server.wait().value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
