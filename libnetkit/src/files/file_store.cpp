#include <netkit/files/file_store.hpp>

#include <netkit/files/error.hpp>
#include <netkit/files/file_name.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <system_error>

namespace netkit::files {

namespace {

// Hidden, so no client can name it (leading '.' is refused); the pid tells a crashed server's
// leftovers from a live server's uploads.
constexpr std::string_view temp_prefix = ".netkit-upload.";

std::string reason(int error) { return std::strerror(error); }

void check_name(std::string_view name) {
    if (auto problem = file_name_problem(name); !problem.empty()) throw files_error("bad name: " + problem);
}

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

struct dir_closer {
    void operator()(DIR* d) const { ::closedir(d); }
};
using dir_handle = std::unique_ptr<DIR, dir_closer>;

// A second descriptor on the directory for readdir (fdopendir takes ownership of it).
dir_handle open_listing(int dir_fd) {
    const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw files_error("cannot list the directory: " + reason(errno));
    DIR* d = ::fdopendir(fd);
    if (!d) {
        const int error = errno;
        ::close(fd);
        throw files_error("cannot list the directory: " + reason(error));
    }
    return dir_handle(d);
}

bool is_regular(int dir_fd, const char* name, struct stat& st) {
    return ::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

file_store::file_store(const std::filesystem::path& dir, std::uint64_t max_file_size, std::uint64_t max_in_flight,
                       std::uint64_t min_free)
    // off_t bounds what a file can hold; a larger limit would mean nothing.
    : path_(dir),
      max_file_size_(std::min<std::uint64_t>(max_file_size, std::numeric_limits<off_t>::max())),
      budget_(max_in_flight, min_free) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::system_error(ec, "cannot create the directory " + dir.string());
    dir_.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_) throw std::system_error(errno, std::system_category(), "cannot open the directory " + dir.string());
}

readable_file file_store::open(std::string_view name) const {
    check_name(name);
    const std::string n(name);
    // Looking first means a fifo or device planted here is never even opened.
    struct stat st {};
    if (::fstatat(dir_.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) throw files_error("no such file: " + quoted(name));
        throw files_error("cannot open " + quoted(name) + ": " + reason(errno));
    }
    if (!S_ISREG(st.st_mode)) throw files_error(quoted(name) + " is not a regular file");
    // O_NOFOLLOW and the second check cover a swap between the look and the open.
    unique_fd fd(::openat(dir_.get(), n.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) throw files_error("no such file: " + quoted(name));
        if (errno == ELOOP) throw files_error(quoted(name) + " is not a regular file");
        throw files_error("cannot open " + quoted(name) + ": " + reason(errno));
    }
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        throw files_error(quoted(name) + " is not a regular file");
    return {std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

upload file_store::begin_upload(std::string_view name, std::uint64_t size, digest_kind digest) {
    check_name(name);
    if (size > max_file_size_)
        throw files_error(quoted(name) + " is " + std::to_string(size) + " bytes, over the limit of " +
                          std::to_string(max_file_size_));
    // rename(2) cannot replace a directory: say so now rather than after the bytes.
    struct stat existing {};
    if (::fstatat(dir_.get(), std::string(name).c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(existing.st_mode))
        throw files_error(quoted(name) + " is a directory");
    struct statvfs fs {};
    const std::uint64_t available =
        ::fstatvfs(dir_.get(), &fs) == 0 ? std::uint64_t(fs.f_bavail) * fs.f_frsize : UINT64_MAX;
    auto share = budget_.claim(std::string(name), size, available);

    unique_fd file;
    std::string temp;
    for (int attempt = 0; !file; ++attempt) {
        temp = std::string(temp_prefix) + std::to_string(::getpid()) + "." + std::to_string(next_temp_++);
        file.reset(::openat(dir_.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!file && (errno != EEXIST || attempt == 100))
            throw files_error("cannot create a file for " + quoted(name) + ": " + reason(errno));
    }
    return upload(dir_.get(), std::move(temp), std::string(name), std::move(file), size, digest, std::move(share));
}

std::vector<stored_file> file_store::list() const {
    auto listing = open_listing(dir_.get());
    std::vector<stored_file> files;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(listing.get());
        if (!entry) {
            if (errno != 0) throw files_error("cannot list the directory: " + reason(errno));
            break;
        }
        // Names a client could not ask for (hidden, control characters) are not shown either:
        // a newline in a name would break the one-line-per-file format.
        if (!file_name_problem(entry->d_name).empty()) continue;
        struct stat st {};
        if (!is_regular(dir_.get(), entry->d_name, st)) continue;
        files.push_back({entry->d_name, static_cast<std::uint64_t>(st.st_size)});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return files;
}

std::size_t file_store::remove_stale_uploads() {
    auto listing = open_listing(dir_.get());
    std::size_t removed = 0;
    while (const dirent* entry = ::readdir(listing.get())) {
        const std::string_view name = entry->d_name;
        if (!name.starts_with(temp_prefix)) continue;
        const auto pid_text = name.substr(temp_prefix.size(), name.find('.', temp_prefix.size()) - temp_prefix.size());
        pid_t pid = 0;
        try {
            pid = static_cast<pid_t>(std::stol(std::string(pid_text)));
        } catch (const std::exception&) {
            continue;  // not one of ours
        }
        // Our own pid: a previous server that had it (a container restarted) and crashed; we
        // have no upload yet. A live process, or one we may not signal, keeps its files.
        if (pid != ::getpid() && (::kill(pid, 0) == 0 || errno == EPERM)) continue;
        struct stat st {};
        if (is_regular(dir_.get(), entry->d_name, st) && ::unlinkat(dir_.get(), entry->d_name, 0) == 0) ++removed;
    }
    return removed;
}

}  // namespace netkit::files
