// The file-copy service (lesson 002 exercise) in-process: names, request parsing, hashing, the
// store, and the protocol over loopback, including hostile names, planted symlinks, vanished and
// stalled uploaders and concurrent uploads of one name.
#include "support/pop_line.hpp"
#include "support/temp_dir.hpp"

#include <netkit/files/digest.hpp>
#include <netkit/files/error.hpp>
#include <netkit/files/file_name.hpp>
#include <netkit/files/file_store.hpp>
#include <netkit/files/files_client.hpp>
#include <netkit/files/files_service.hpp>
#include <netkit/files/files_session.hpp>
#include <netkit/files/request.hpp>
#include <netkit/files/sha256.hpp>
#include <netkit/server_host.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

using namespace netkit;
using namespace netkit::files;
namespace fs = std::filesystem;

namespace {

// Every test directory of this file is named netkit-files-test-XXXXXX.
struct temp_dir : test::temp_dir {
    temp_dir() : test::temp_dir("netkit-files-test") {}
};
using test::read_file;
using test::write_file;

std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

bool is_temp(const std::string& name) { return name.starts_with(".netkit-upload."); }

// A raw connection, for what the blocking client never sends: every read has a deadline, so a
// server that misbehaves fails the test instead of hanging it.
class raw_connection {
public:
    explicit raw_connection(const tcp::endpoint& server) : socket_(io_) { socket_.connect(server); }

    void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }

    // The next line without "\n"; "<eof>" when the server closed, "<timeout>" when nothing came.
    std::string line(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (auto l = test::pop_line(inbox_)) return *l;
            if (!fill(deadline)) return eof_ ? "<eof>" : "<timeout>";
        }
    }

    std::string bytes(std::size_t n) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (inbox_.size() < n)
            if (!fill(deadline)) break;
        std::string b = inbox_.substr(0, n);
        inbox_.erase(0, b.size());
        return b;
    }

    // True once the server has closed the connection (within the timeout).
    bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (fill(deadline)) inbox_.clear();
        return eof_;
    }

    // Closes abruptly: RST instead of FIN, like a client that crashed.
    void reset() {
        socket_.set_option(asio::socket_base::linger(true, 0));
        socket_.close();
    }
    void close() { socket_.close(); }

private:
    bool fill(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{socket_.native_handle(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char chunk[65536];
        const ssize_t n = ::read(socket_.native_handle(), chunk, sizeof chunk);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        inbox_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    asio::io_context io_;
    tcp::socket socket_;
    std::string inbox_;
    bool eof_ = false;
};

// A files_service on an ephemeral loopback port, serving tmp/store; tmp/outside is where a
// traversal would land.
struct files_fixture {
    temp_dir tmp;
    fs::path dir = tmp.path / "store";
    fs::path outside = tmp.path / "outside";
    logger log{log_level::warn};
    std::optional<files_service> service;
    std::optional<server_host> host;  // stopped before the service goes
    std::jthread runner;
    tcp_server* server = nullptr;
    tcp::endpoint endpoint;

    files_fixture() { fs::create_directories(outside); }
    ~files_fixture() {
        if (host) host->shutdown();
        if (runner.joinable()) runner.join();
        host.reset();
        service.reset();
    }

    void start(files_options options = {}) {
        options.dir = dir;
        service.emplace(options, log);
        host.emplace(log);
        server = &host->add_tcp({}, files_session_factory(*service));
        endpoint = server->local_endpoint();
        // A generous grace: a session finishing an upload on stop must not be cut by a slow fsync.
        runner = std::jthread([this] {
            std::ostringstream announce;
            host->run(2, std::chrono::seconds(10), announce);
        });
    }

    // The client makes blocking calls only: its io_context never runs, it just owns the sockets.
    asio::io_context client_io;
    files_client client() {
        tcp::socket s(client_io);
        s.connect(endpoint);
        return files_client(std::move(s));
    }

    // Connections end asynchronously after the client goes: wait (bounded) for the server to
    // have closed them all, so what the session cleans up is done.
    bool all_sessions_ended() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (server->connection_count() > 0) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }
};

std::string pattern_bytes(std::size_t n, char seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + 31 * (i % 251) + i / 4093);
    return s;
}

const std::string empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// XXH3-128 of no bytes, as `xxh128sum` prints it for an empty file.
const std::string empty_xxh128 = "99aa06d3014798d86001c324468d497f";

bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(request_digest_word) {
    const auto put = parse_files_request("PUT my file 12 xxh128");
    BOOST_TEST(put.name == "my file");
    BOOST_TEST(put.size == 12U);
    BOOST_TEST((put.digest == digest_kind::xxh128));
    BOOST_TEST((parse_files_request("PUT a 3 sha256\r").digest == digest_kind::sha256));
    BOOST_TEST((parse_files_request("PUT a 3").digest == digest_kind::sha256));  // no word: as before
    BOOST_TEST(parse_files_request("PUT a 12 5").name == "a 12");               // a size last: old form
    const auto get = parse_files_request("GET two words xxh128");
    BOOST_TEST(get.name == "two words");
    BOOST_TEST((get.digest == digest_kind::xxh128));
    BOOST_TEST(parse_files_request("GET two words").name == "two words");
    BOOST_TEST((parse_files_request("GET two words").digest == digest_kind::sha256));
    BOOST_TEST(parse_files_request("GET xxh128").name == "xxh128");  // alone, the word is the name
    try {
        parse_files_request("PUT a 3 md5");
        BOOST_FAIL("an unknown digest was accepted");
    } catch (const files_error& e) {
        BOOST_TEST(std::string(e.what()) == "unknown digest 'md5': expected sha256 or xxh128");
    }
    BOOST_CHECK_THROW(parse_files_request("PUT a b md5"), files_error);
}

BOOST_AUTO_TEST_CASE(xxh128_matches_known_digests) {
    BOOST_TEST(digest::hex_of(digest_kind::xxh128, std::span<const char>()) == empty_xxh128);
    BOOST_TEST(digest::hex_of(digest_kind::sha256, std::span<const char>()) == empty_sha256);
    const std::string content = pattern_bytes(3 * 1024 * 1024 + 17, 'x');
    digest pieces(digest_kind::xxh128);
    pieces.update(std::string_view(content).substr(0, 1000));
    pieces.update(std::string_view(content).substr(1000));
    const std::string whole = digest::hex_of(digest_kind::xxh128, content);
    BOOST_TEST(whole.size() == 32U);
    BOOST_TEST(pieces.hex_digest() == whole);
    BOOST_TEST(pieces.hex_digest() == empty_xxh128);  // a digest starts anew

    temp_dir tmp;
    write_file(tmp.path / "f", content);
    unique_fd fd(::open((tmp.path / "f").c_str(), O_RDONLY));
    BOOST_TEST(digest_of_file(digest_kind::xxh128, fd.get(), content.size()) == whole);
    BOOST_TEST(digest_of_file(digest_kind::sha256, fd.get(), content.size()) == sha256::hex_of(content));
}

BOOST_FIXTURE_TEST_CASE(xxh128_both_directions, files_fixture) {
    start();
    const std::string content = pattern_bytes(2'000'003, 'k');
    write_file(tmp.path / "src", content);
    auto client = this->client();
    client.use_digest(digest_kind::xxh128);
    std::ostringstream trace;
    client.trace(&trace);
    const auto stored = client.put(tmp.path / "src", "fast copy");
    BOOST_TEST((stored.kind == digest_kind::xxh128));
    BOOST_TEST(stored.digest == digest::hex_of(digest_kind::xxh128, content));
    BOOST_TEST((read_file(dir / "fast copy") == content));
    const fs::path copy = tmp.path / "copy";
    unique_fd out(::open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    const auto fetched = client.get("fast copy", out.get());
    BOOST_TEST(fetched.digest == stored.digest);
    BOOST_TEST((read_file(copy) == content));
    BOOST_TEST(trace.str().find("-> PUT fast copy 2000003 xxh128\n") != std::string::npos, trace.str());
    BOOST_TEST(trace.str().find("-> GET fast copy xxh128\n") != std::string::npos, trace.str());
}

BOOST_FIXTURE_TEST_CASE(requests_without_a_digest_word_get_sha256_as_before, files_fixture) {
    start();
    raw_connection c(endpoint);
    c.send("PUT old 5\nhello");
    BOOST_TEST(c.line() == "OK");
    BOOST_TEST(c.line() == "DONE 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    c.send("GET old\n");
    BOOST_TEST(c.line() == "OK 5");
    BOOST_TEST(c.bytes(5) == "hello");
    BOOST_TEST(c.line() == "DONE 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    c.send("GET old xxh128\n");
    BOOST_TEST(c.line() == "OK 5");
    BOOST_TEST(c.bytes(5) == "hello");
    BOOST_TEST(c.line() == "DONE " + digest::hex_of(digest_kind::xxh128, std::string_view("hello")));
    // An unknown digest is refused before OK, and the connection goes on.
    c.send("PUT new 5 md5\n");
    BOOST_TEST(c.line() == "ERR unknown digest 'md5': expected sha256 or xxh128");
    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 1");
    BOOST_TEST(c.line() == "5 old");
}

BOOST_AUTO_TEST_CASE(budget_counts_declared_sizes_and_gives_them_back) {
    upload_budget budget(3000, 100);
    {
        auto a = budget.claim("a", 1000, 1'000'000);
        auto b = budget.claim("b", 2000, 1'000'000);
        BOOST_TEST(budget.in_flight() == 3000U);
        try {
            budget.claim("c", 1, 1'000'000);
            BOOST_FAIL("over the budget, accepted");
        } catch (const files_error& e) {
            BOOST_TEST(std::string(e.what()).starts_with("busy: 'c' (1 bytes)"), e.what());
        }
        a.release();
        BOOST_TEST(budget.in_flight() == 2000U);
        auto moved = std::move(b);
        BOOST_TEST(budget.in_flight() == 2000U);
    }
    BOOST_TEST(budget.in_flight() == 0U);
    // The free-space margin: 1000 available, 100 kept free, 900 declared at most.
    auto fits = budget.claim("d", 900, 1000);
    BOOST_CHECK_THROW(budget.claim("e", 1, 1000), files_error);
    BOOST_CHECK_THROW(budget.claim("f", 1, 50), files_error);
    BOOST_CHECK_THROW(budget.claim("g", UINT64_MAX, UINT64_MAX), files_error);
}

BOOST_AUTO_TEST_CASE(upload_reserves_disk_as_data_arrives) {
    temp_dir tmp;
    file_store store(tmp.path, 1ULL << 30, 1ULL << 30, 0);
    upload big = store.begin_upload("big", 200ULL << 20);
    const auto names = entries(tmp.path);
    BOOST_TEST_REQUIRE(names.size() == 1U);
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat((tmp.path / *names.begin()).c_str(), &st) == 0);
    BOOST_TEST(st.st_blocks == 0);  // announced 200 MiB, holds nothing yet
    BOOST_TEST(big.reserved() == 0U);
    BOOST_TEST(store.budget().in_flight() == 200ULL << 20);
    big.write(std::string_view("x"));
    BOOST_TEST(big.reserved() == upload::reserve_step);
    BOOST_TEST_REQUIRE(::stat((tmp.path / *names.begin()).c_str(), &st) == 0);
    BOOST_TEST(st.st_size == 1);  // blocks reserved past the end, the size is what was written
    BOOST_TEST(static_cast<std::uint64_t>(st.st_blocks) * 512 <= 2 * upload::reserve_step);

    upload small = store.begin_upload("small", 3);
    small.write(std::string_view("abc"));
    BOOST_TEST(small.reserved() == 3U);  // never past the declared size
    small.commit();
    BOOST_TEST(store.budget().in_flight() == 200ULL << 20);  // committed: its share is back
}

BOOST_AUTO_TEST_CASE(buffer_sizing_policy) {
    BOOST_TEST(upload_buffer_size(1000, 256 * 1024) == 1000U);
    BOOST_TEST(upload_buffer_size(0, 256 * 1024) == 0U);
    BOOST_TEST(upload_buffer_size(200ULL << 20, 256 * 1024) == 256U * 1024);
}

BOOST_FIXTURE_TEST_CASE(stalled_puts_hold_no_more_than_the_budget, files_fixture) {
    start({.max_in_flight = 3000, .min_free = 0});
    std::vector<std::unique_ptr<raw_connection>> stalled;
    for (const char* name : {"a", "b", "c"}) {
        stalled.push_back(std::make_unique<raw_connection>(endpoint));
        stalled.back()->send(std::string("PUT ") + name + " 1000\n");
        BOOST_TEST_REQUIRE(stalled.back()->line() == "OK");
    }
    BOOST_TEST(service->store().budget().in_flight() == 3000U);
    BOOST_TEST(service->upload_buffer_bytes() == 0U);  // no byte sent: no buffer taken

    raw_connection over(endpoint);
    over.send("PUT d 1\n");
    const std::string refusal = over.line();
    BOOST_TEST(refusal.starts_with("ERR busy: 'd' (1 bytes) would bring the uploads in progress to more than 3000"),
               refusal);
    BOOST_TEST(service->store().budget().in_flight() == 3000U);

    // A byte each: each takes a buffer of its declared size, not 256 KiB.
    for (auto& c : stalled) c->send("x");
    BOOST_TEST(eventually([&] { return service->upload_buffer_bytes() == 3000U; }), service->upload_buffer_bytes());

    // Client gone: its share and its buffer go back; the refused PUT now fits.
    stalled[0]->reset();
    BOOST_TEST(eventually([&] { return service->store().budget().in_flight() == 2000U; }));
    BOOST_TEST(eventually([&] { return service->upload_buffer_bytes() == 2000U; }));
    over.send("PUT d 1000\n");
    BOOST_TEST(over.line() == "OK");
    // Done: the rest of b's bytes, then b's share is back too.
    stalled[1]->send(std::string(999, 'y'));
    BOOST_TEST(stalled[1]->line().starts_with("DONE "));
    BOOST_TEST(eventually([&] { return service->store().budget().in_flight() == 2000U; }));
    BOOST_TEST(eventually([&] { return service->upload_buffer_bytes() == 1000U; }));
}

BOOST_FIXTURE_TEST_CASE(put_that_would_eat_the_free_margin_is_refused, files_fixture) {
    fs::create_directories(dir);
    struct statvfs vfs {};
    BOOST_TEST_REQUIRE(::statvfs(dir.c_str(), &vfs) == 0);
    const std::uint64_t available = std::uint64_t(vfs.f_bavail) * vfs.f_frsize;
    start({.min_free = available + (1ULL << 30)});  // more than there is: nothing fits
    raw_connection c(endpoint);
    c.send("PUT x 1\n");
    BOOST_TEST(c.line().starts_with("ERR not enough space for 'x': 1 bytes needed"));
    BOOST_TEST(entries(dir).empty());
}

BOOST_FIXTURE_TEST_CASE(no_first_request_within_the_login_timeout, files_fixture) {
    start({.login_timeout = std::chrono::milliseconds(300)});
    raw_connection silent(endpoint), partial(endpoint), prompt(endpoint);
    prompt.send("LIST\n");
    BOOST_TEST_REQUIRE(prompt.line() == "OK 0");
    partial.send("LIS");  // bytes, but no complete request
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_TEST(silent.closed_by_server(std::chrono::seconds(10)));
    BOOST_TEST(partial.closed_by_server(std::chrono::seconds(10)));
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)));
    // After its first request a connection is under the idle timeout only (2 minutes here).
    BOOST_TEST(!prompt.closed_by_server(std::chrono::milliseconds(600)));
    prompt.send("LIST\n");
    BOOST_TEST(prompt.line() == "OK 0");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(files)

BOOST_AUTO_TEST_CASE(names_that_stay_inside_the_directory) {
    const std::string good[] = {"a", "hello world.txt", "x.", "a..b", "-rf", "caf\xc3\xa9", "~", std::string(255, 'n')};
    for (const auto& name : good) BOOST_TEST(file_name_problem(name).empty(), name);
    const std::string bad[] = {"", ".", "..", ".hidden", "../x", "/etc/passwd", "a/b", "..\x2f..", "a\nb", "a\rb",
                               "tab\there", "bell\x07", "del\x7f", std::string("nul\0byte", 8), std::string(256, 'n')};
    for (const auto& name : bad) BOOST_TEST(!file_name_problem(name).empty(), "accepted: " << name);
}

BOOST_AUTO_TEST_CASE(request_lines) {
    auto put = parse_files_request("PUT hello world 5");
    BOOST_TEST((put.what == files_request::verb::put));
    BOOST_TEST(put.name == "hello world");
    BOOST_TEST(put.size == 5U);
    BOOST_TEST(parse_files_request("PUT a  7\r").name == "a ");
    BOOST_TEST(parse_files_request("PUT big 18446744073709551615").size == 18446744073709551615ULL);
    auto get = parse_files_request("GET two words\r");
    BOOST_TEST((get.what == files_request::verb::get));
    BOOST_TEST(get.name == "two words");
    BOOST_TEST((parse_files_request("LIST").what == files_request::verb::list));
    BOOST_TEST((parse_files_request("LIST\r").what == files_request::verb::list));

    const std::string bad[] = {"", "list", "LIST x", "get a", "GET", "GET ", "PUT", "PUT a", "PUT a ", "PUT a -1",
                               "PUT a +1", "PUT a 1e3", "PUT a 0x10", "PUT a 18446744073709551616", "PUT  5",
                               "PUT ../x 3", "GET .hidden", "GET /etc/passwd", "DELETE a"};
    for (const auto& line : bad) BOOST_CHECK_THROW(parse_files_request(line), files_error);
    BOOST_TEST(parse_byte_count("0").value_or(1) == 0U);
    BOOST_TEST(!parse_byte_count(" 1"));
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_digests) {
    BOOST_TEST(sha256::hex_of(std::span<const char>()) == empty_sha256);
    const std::string abc = "abc";
    BOOST_TEST(sha256::hex_of(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256 incremental;
    incremental.update(std::string_view("a"));
    incremental.update(std::string_view("bc"));
    BOOST_TEST(incremental.hex_digest() == sha256::hex_of(abc));
    BOOST_TEST(incremental.hex_digest() == empty_sha256);  // a digest starts a new hash

    temp_dir tmp;
    const std::string content = pattern_bytes(3 * 1024 * 1024 + 17, 'q');
    write_file(tmp.path / "f", content);
    unique_fd fd(::open((tmp.path / "f").c_str(), O_RDONLY));
    BOOST_TEST(sha256_of_file(fd.get(), content.size()) == sha256::hex_of(content));
    const std::atomic<bool> abandon{true};
    BOOST_TEST(sha256_of_file(fd.get(), content.size(), &abandon).empty());
    BOOST_CHECK_THROW(sha256_of_file(fd.get(), content.size() + 1), std::exception);
}

BOOST_AUTO_TEST_CASE(store_keeps_uploads_invisible_until_committed) {
    temp_dir tmp;
    file_store store(tmp.path / "a" / "b", 1000);  // parents created too
    BOOST_TEST(fs::is_directory(tmp.path / "a" / "b"));
    {
        upload abandoned = store.begin_upload("f", 3);
        abandoned.write(std::string_view("abc"));
        const auto names = entries(store.path());
        BOOST_TEST_REQUIRE(names.size() == 1U);
        BOOST_TEST(is_temp(*names.begin()));
        BOOST_TEST(store.list().empty());
    }
    BOOST_TEST(entries(store.path()).empty());  // destroyed uncommitted: temporary removed

    upload kept = store.begin_upload("f", 3);
    kept.write(std::string_view("abc"));
    BOOST_TEST(kept.commit() == sha256::hex_of(std::string_view("abc")));
    BOOST_TEST(read_file(store.path() / "f") == "abc");
    BOOST_TEST(entries(store.path()) == std::set<std::string>{"f"});
    BOOST_CHECK_THROW(store.begin_upload("g", 1001), files_error);
    BOOST_CHECK_THROW(store.begin_upload("../g", 1), files_error);
    BOOST_CHECK_THROW(store.open("missing"), files_error);
    BOOST_TEST(store.open("f").size == 3U);
}

BOOST_AUTO_TEST_CASE(store_removes_only_a_dead_servers_temporary_files) {
    temp_dir tmp;
    write_file(tmp.path / ".netkit-upload.999999999.0", "left by a crashed server");  // above any pid_max
    write_file(tmp.path / (".netkit-upload." + std::to_string(::getppid()) + ".0"), "a live server's upload");
    write_file(tmp.path / ".other-hidden", "not ours");
    file_store store(tmp.path, 1000);
    BOOST_TEST(store.remove_stale_uploads() == 1U);
    BOOST_TEST(entries(tmp.path) == (std::set<std::string>{".netkit-upload." + std::to_string(::getppid()) + ".0",
                                                           ".other-hidden"}));
}

BOOST_FIXTURE_TEST_CASE(put_get_and_list_on_one_connection, files_fixture) {
    start();
    const std::string content = pattern_bytes(3'000'001, 'a');
    write_file(tmp.path / "src", content);
    auto client = this->client();
    const auto stored = client.put(tmp.path / "src", "my file.bin");
    BOOST_TEST(stored.size == content.size());
    BOOST_TEST(stored.digest == sha256::hex_of(content));
    BOOST_TEST((read_file(dir / "my file.bin") == content));

    const fs::path copy = tmp.path / "copy";
    unique_fd out(::open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644));
    std::uint64_t last_progress = 0;
    const auto fetched = client.get("my file.bin", out.get(), [&](std::uint64_t done, std::uint64_t total) {
        BOOST_REQUIRE(done <= total);
        last_progress = done;
    });
    BOOST_TEST(fetched.digest == stored.digest);
    BOOST_TEST(last_progress == content.size());
    BOOST_TEST((read_file(copy) == content));

    const auto files = client.list();
    BOOST_TEST_REQUIRE(files.size() == 1U);
    BOOST_TEST(files[0].name == "my file.bin");
    BOOST_TEST(files[0].size == content.size());
}

BOOST_FIXTURE_TEST_CASE(empty_file_and_data_sent_with_the_request_line, files_fixture) {
    start();
    raw_connection c(endpoint);
    c.send("PUT empty 0\n");
    BOOST_TEST(c.line() == "OK");
    BOOST_TEST(c.line() == "DONE " + empty_sha256);
    c.send("GET empty\n");
    BOOST_TEST(c.line() == "OK 0");
    BOOST_TEST(c.line() == "DONE " + empty_sha256);
    // A client that does not wait for OK: the bytes already read with the line are file data.
    c.send("PUT eager 5\nhelloGET eager\n");
    BOOST_TEST(c.line() == "OK");
    BOOST_TEST(c.line() == "DONE " + sha256::hex_of(std::string_view("hello")));
    BOOST_TEST(c.line() == "OK 5");
    BOOST_TEST(c.bytes(5) == "hello");
    BOOST_TEST(c.line() == "DONE " + sha256::hex_of(std::string_view("hello")));
}

BOOST_FIXTURE_TEST_CASE(list_shows_regular_files_sorted_with_their_sizes, files_fixture) {
    start();
    raw_connection c(endpoint);
    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 0");
    for (const auto& [name, body] : {std::pair<std::string, std::string>{"b", "bb"}, {"a file", "1234567"}, {"c", ""}}) {
        c.send("PUT " + name + " " + std::to_string(body.size()) + "\n");
        BOOST_TEST_REQUIRE(c.line() == "OK");
        c.send(body);
        BOOST_TEST_REQUIRE(c.line().starts_with("DONE "));
    }
    // Things a client could not ask for are not listed.
    fs::create_directory(dir / "subdir");
    write_file(dir / ".hidden", "x");
    write_file(dir / "new\nline", "x");
    fs::create_symlink(dir / "b", dir / "link-to-b");
    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 3");
    BOOST_TEST(c.line() == "7 a file");
    BOOST_TEST(c.line() == "2 b");
    BOOST_TEST(c.line() == "0 c");
    c.send("LIST\n");  // the connection serves one request after another
    BOOST_TEST(c.line() == "OK 3");
}

BOOST_FIXTURE_TEST_CASE(vanished_uploader_leaves_nothing, files_fixture) {
    start();
    for (const bool abrupt : {false, true}) {
        raw_connection c(endpoint);
        c.send("PUT partial 1000000\n");
        BOOST_TEST_REQUIRE(c.line() == "OK");
        const auto during = entries(dir);  // the upload's temporary file exists, hidden
        BOOST_TEST_REQUIRE(during.size() == 1U);
        BOOST_TEST(is_temp(*during.begin()));
        c.send(pattern_bytes(300000, 'v'));
        if (abrupt) c.reset(); else c.close();
        BOOST_TEST_REQUIRE(all_sessions_ended());
        BOOST_TEST(entries(dir).empty(), (abrupt ? "after RST" : "after FIN"));
    }
    BOOST_TEST(this->client().list().empty());  // and the server still serves
}

BOOST_FIXTURE_TEST_CASE(stalled_uploader_is_closed_and_leaves_nothing, files_fixture) {
    start({.idle_timeout = std::chrono::milliseconds(300)});
    raw_connection c(endpoint);
    c.send("PUT slow 1000\n");
    BOOST_TEST_REQUIRE(c.line() == "OK");
    c.send("0123456789");
    BOOST_TEST(c.closed_by_server(std::chrono::seconds(10)));
    BOOST_TEST_REQUIRE(all_sessions_ended());
    BOOST_TEST(entries(dir).empty());
}

BOOST_FIXTURE_TEST_CASE(names_reaching_outside_are_refused, files_fixture) {
    start();
    write_file(outside / "secret", "top secret");
    raw_connection c(endpoint);
    const std::string bad[] = {"../x", "../outside/secret", "/etc/passwd", "/tmp/x", ".hidden", ".", "..",
                               "a/b", "a\x01" "b", "a\tb", "a\rb", "del\x7f", std::string("nul\0x", 5),
                               std::string(256, 'n')};
    for (const auto& name : bad) {
        c.send("PUT " + name + " 3\n");
        BOOST_TEST(c.line().starts_with("ERR "), "PUT accepted: " << name);
        c.send("GET " + name + "\n");
        BOOST_TEST(c.line().starts_with("ERR "), "GET accepted: " << name);
    }
    BOOST_TEST(entries(dir).empty());
    BOOST_TEST(entries(tmp.path) == (std::set<std::string>{"store", "outside"}));
    BOOST_TEST(entries(outside) == std::set<std::string>{"secret"});
    BOOST_TEST(read_file(outside / "secret") == "top secret");

    // The longest name allowed still works, on the same connection.
    const std::string longest(255, 'n');
    c.send("PUT " + longest + " 3\n");
    BOOST_TEST_REQUIRE(c.line() == "OK");
    c.send("abc");
    BOOST_TEST(c.line().starts_with("DONE "));
    BOOST_TEST(read_file(dir / longest) == "abc");
}

BOOST_FIXTURE_TEST_CASE(symlinks_planted_in_the_directory_are_not_followed, files_fixture) {
    start();
    write_file(outside / "secret", "top secret");
    fs::create_directories(dir);
    fs::create_symlink(outside / "secret", dir / "link");
    fs::create_directory_symlink(outside, dir / "dirlink");
    BOOST_TEST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    fs::create_directory(dir / "adir");

    raw_connection c(endpoint);
    c.send("PUT adir 1\n");
    BOOST_TEST(c.line().starts_with("ERR "));
    for (const std::string name : {"link", "dirlink", "fifo", "adir"}) {
        c.send("GET " + name + "\n");
        const auto reply = c.line(std::chrono::seconds(5));  // a fifo must not block the server
        BOOST_TEST(reply.starts_with("ERR "), name << ": " << reply);
    }
    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 0");

    // Uploading over the link replaces the link itself; the file it pointed to is untouched.
    c.send("PUT link 4\n");
    BOOST_TEST_REQUIRE(c.line() == "OK");
    c.send("evil");
    BOOST_TEST(c.line().starts_with("DONE "));
    c.send("PUT dirlink 1\n");
    BOOST_TEST_REQUIRE(c.line() == "OK");
    c.send("x");
    BOOST_TEST(c.line().starts_with("DONE "));
    BOOST_TEST(read_file(outside / "secret") == "top secret");
    BOOST_TEST(entries(outside) == std::set<std::string>{"secret"});
    BOOST_TEST(fs::is_regular_file(fs::symlink_status(dir / "link")));
    BOOST_TEST(fs::is_regular_file(fs::symlink_status(dir / "dirlink")));
    BOOST_TEST(read_file(dir / "link") == "evil");
}

BOOST_FIXTURE_TEST_CASE(concurrent_puts_of_one_name_leave_one_complete_upload, files_fixture) {
    start();
    constexpr int uploaders = 4;
    const std::size_t size = 4 * 1024 * 1024;
    std::set<std::string> hashes;
    for (int i = 0; i < uploaders; ++i) {
        const std::string content = pattern_bytes(size, static_cast<char>('A' + i));
        write_file(tmp.path / ("src" + std::to_string(i)), content);
        hashes.insert(sha256::hex_of(content));
    }
    BOOST_TEST_REQUIRE(hashes.size() == std::size_t(uploaders));

    std::atomic<int> done{0};
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < uploaders; ++i)
            threads.emplace_back([&, i] {
                try {
                    auto client = this->client();
                    client.put(tmp.path / ("src" + std::to_string(i)), "same name");
                    ++done;
                } catch (const std::exception&) {
                }
            });
    }
    BOOST_TEST(done.load() == uploaders);
    BOOST_TEST(entries(dir) == std::set<std::string>{"same name"});  // no temporary file left
    const std::string stored = read_file(dir / "same name");
    BOOST_TEST(stored.size() == size);
    BOOST_TEST(hashes.count(sha256::hex_of(stored)) == 1U);
}

BOOST_FIXTURE_TEST_CASE(size_over_the_limit_is_refused_before_any_byte, files_fixture) {
    start({.max_file_size = 1024 * 1024});
    raw_connection c(endpoint);
    c.send("PUT big 1048577\n");
    const auto refusal = c.line();
    BOOST_TEST(refusal.starts_with("ERR "));
    BOOST_TEST(refusal.find("limit") != std::string::npos, refusal);
    c.send("PUT big 1048576\n");  // the limit itself is allowed, on the same connection
    BOOST_TEST_REQUIRE(c.line() == "OK");
    c.send(std::string(1048576, 'b'));
    BOOST_TEST(c.line().starts_with("DONE "));
    BOOST_TEST(fs::file_size(dir / "big") == 1048576U);
}

BOOST_FIXTURE_TEST_CASE(malformed_requests_get_err_and_the_server_keeps_serving, files_fixture) {
    start();
    raw_connection c(endpoint);
    for (const std::string line : {"HELLO", "PUT x", "PUT x -5", "PUT x five", "GET", "list", "LIST all"}) {
        c.send(line + "\n");
        BOOST_TEST(c.line().starts_with("ERR "), line);
    }
    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 0");

    raw_connection flood(endpoint);
    flood.send(std::string(5000, 'A') + "\n");
    BOOST_TEST(flood.line().starts_with("ERR request line longer"));
    BOOST_TEST(flood.closed_by_server());

    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 0");
    raw_connection another(endpoint);
    another.send("LIST\n");
    BOOST_TEST(another.line() == "OK 0");
}

// The limit counts the line's text: a request of exactly max_request_line bytes is read (and
// answered on its merits) with "\n" or "\r\n"; one byte more is refused.
BOOST_FIXTURE_TEST_CASE(the_request_line_limit_counts_the_text_without_its_newline, files_fixture) {
    start();
    raw_connection c(endpoint);
    const std::string longest = "GET " + std::string(max_request_line - 4, 'n');
    c.send(longest + "\r\n");
    const std::string reply = c.line();
    BOOST_TEST(reply.starts_with("ERR "));
    BOOST_TEST(reply.find("request line") == std::string::npos, reply);
    c.send("LIST\n");
    BOOST_TEST(c.line() == "OK 0");

    raw_connection over(endpoint);
    over.send(longest + "n\n");
    BOOST_TEST(over.line() == "ERR request line longer than 1024 bytes");
    BOOST_TEST(over.closed_by_server());
}

BOOST_FIXTURE_TEST_CASE(stopping_server_finishes_the_upload_in_progress, files_fixture) {
    start();
    raw_connection busy(endpoint), idle(endpoint);
    idle.send("LIST\n");
    BOOST_TEST_REQUIRE(idle.line() == "OK 0");
    busy.send("PUT last 6\n");
    BOOST_TEST_REQUIRE(busy.line() == "OK");
    busy.send("abc");
    host->shutdown();
    BOOST_TEST(idle.closed_by_server());  // between requests: closed at once
    busy.send("def");
    BOOST_TEST(busy.line() == "DONE " + sha256::hex_of(std::string_view("abcdef")));
    BOOST_TEST(busy.closed_by_server());  // then closed
    BOOST_TEST(read_file(dir / "last") == "abcdef");
}

BOOST_AUTO_TEST_SUITE_END()
