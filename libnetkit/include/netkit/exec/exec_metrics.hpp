// What the command server counts for /metrics (see docs/operations.md); sessions update it
// through exec_options::metrics.
#pragma once

#include <netkit/metrics/registry.hpp>

namespace netkit::exec {

struct exec_metrics {
    explicit exec_metrics(metrics::registry& r);

    metrics::gauge& running;      // commands running now
    metrics::counter& timed_out;  // commands killed at --timeout
};

}  // namespace netkit::exec
