#include <netkit/files/files_service.hpp>

#include <algorithm>

namespace netkit::files {

files_service::files_service(files_options options, logger& log)
    : options_(std::move(options)),
      log_(log),
      store_(options_.dir, options_.max_file_size, options_.max_in_flight, options_.min_free),
      disk_(std::max(1U, options_.disk_threads)) {
    if (const auto n = store_.remove_stale_uploads())
        log_.info("removed ", n, " temporary file(s) left by an interrupted server in ", options_.dir.string());
}

files_service::~files_service() { disk_.join(); }

}  // namespace netkit::files
