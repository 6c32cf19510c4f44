#include <netkit/files/files_metrics.hpp>

namespace netkit::files {

files_metrics::files_metrics(metrics::registry& r)
    : uploads(r.add_counter("netkit_files_uploads_total", "Files stored (PUT answered DONE).")),
      downloads(r.add_counter("netkit_files_downloads_total", "Files sent whole (GET answered DONE).")),
      upload_failures(r.add_counter("netkit_files_failures_total", "PUTs and GETs refused, failed or interrupted.",
                                    {{"operation", "put"}})),
      download_failures(r.add_counter("netkit_files_failures_total", "PUTs and GETs refused, failed or interrupted.",
                                      {{"operation", "get"}})) {}

}  // namespace netkit::files
