// What the file-copy server counts for /metrics (see docs/operations.md); sessions update it
// through files_options::metrics.
#pragma once

#include <netkit/metrics/registry.hpp>

namespace netkit::files {

struct files_metrics {
    explicit files_metrics(metrics::registry& r);

    metrics::counter& uploads;          // PUTs stored (DONE sent)
    metrics::counter& downloads;        // GETs sent whole (DONE sent)
    metrics::counter& upload_failures;  // PUTs refused, failed or interrupted
    metrics::counter& download_failures;
};

// Counts one transfer: `done` if done() was called before it is destroyed, else `failed` (which
// also covers a session ended half-way). Does nothing without metrics.
class transfer_tally {
public:
    transfer_tally(metrics::counter* done, metrics::counter* failed) noexcept : done_(done), failed_(failed) {}
    ~transfer_tally() {
        if (auto* c = ok_ ? done_ : failed_) c->add();
    }
    transfer_tally(const transfer_tally&) = delete;
    transfer_tally& operator=(const transfer_tally&) = delete;
    void done() noexcept { ok_ = true; }

private:
    metrics::counter* done_;
    metrics::counter* failed_;
    bool ok_ = false;
};

}  // namespace netkit::files
