#include <netkit/files/upload.hpp>

#include <netkit/files/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace netkit::files {

namespace {
std::string reason(int error) { return std::strerror(error); }
}  // namespace

upload::upload(int dir_fd, std::string temp_name, std::string name, unique_fd file, std::uint64_t size,
               digest_kind digest, upload_budget::share share)
    : dir_fd_(dir_fd),
      temp_name_(std::move(temp_name)),
      name_(std::move(name)),
      file_(std::move(file)),
      size_(size),
      hash_(digest),
      share_(std::move(share)) {}

upload::upload(upload&& other) noexcept
    : dir_fd_(other.dir_fd_),
      temp_name_(std::move(other.temp_name_)),
      name_(std::move(other.name_)),
      file_(std::move(other.file_)),
      size_(other.size_),
      written_(other.written_),
      reserved_(other.reserved_),
      hash_(std::move(other.hash_)),
      share_(std::move(other.share_)),
      committed_(other.committed_) {
    other.committed_ = true;  // the moved-from upload owns no temporary file any more
}

upload::~upload() {
    if (!committed_) ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
}

void upload::reserve_next(std::uint64_t end) {
    // KEEP_SIZE: the blocks are allocated past the end of file, so the file's size stays the
    // count of bytes written. File systems without fallocate skip this; write() still checks.
    const std::uint64_t target = std::min(size_, std::max(end, reserved_ + reserve_step));
    if (::fallocate(file_.get(), FALLOC_FL_KEEP_SIZE, static_cast<off_t>(reserved_),
                    static_cast<off_t>(target - reserved_)) != 0 &&
        errno != EOPNOTSUPP && errno != ENOSYS)
        throw files_error("not enough space for '" + name_ + "': " + reason(errno));
    reserved_ = target;
}

void upload::write(std::span<const char> bytes) {
    if (bytes.size() > remaining()) throw std::logic_error("upload::write past the announced size");
    if (written_ + bytes.size() > reserved_) reserve_next(written_ + bytes.size());
    hash_.update(bytes);
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(file_.get(), p, left);
        if (n < 0 && errno == EINTR) continue;
        // write(2) may store fewer bytes than asked (disk full, file size limit): retrying tells why.
        if (n < 0 && (errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
            throw files_error("not enough space for '" + name_ + "': " + reason(errno));
        if (n < 0) throw files_error("cannot store '" + name_ + "': " + reason(errno));
        p += n;
        left -= static_cast<std::size_t>(n);
        written_ += static_cast<std::uint64_t>(n);
    }
}

std::string upload::commit() {
    if (written_ != size_) throw std::logic_error("upload::commit before every byte was written");
    // Data on disk before the name points at it: after a crash the name holds the old file or
    // the complete new one.
    if (::fsync(file_.get()) != 0) throw files_error("cannot flush '" + name_ + "' to disk: " + reason(errno));
    if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0)
        throw files_error("cannot store '" + name_ + "': " + reason(errno));
    committed_ = true;
    share_.release();  // the bytes are on disk now, counted by the file system itself
    ::fsync(dir_fd_);  // makes the rename durable; the file is in place whatever this reports
    return hash_.hex_digest();
}

}  // namespace netkit::files
