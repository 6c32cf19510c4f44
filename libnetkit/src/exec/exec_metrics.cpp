#include <netkit/exec/exec_metrics.hpp>

namespace netkit::exec {

exec_metrics::exec_metrics(metrics::registry& r)
    : running(r.add_gauge("netkit_exec_processes_running", "Commands running now.")),
      timed_out(r.add_counter("netkit_exec_processes_timed_out_total", "Commands killed because they ran past --timeout.")) {}

}  // namespace netkit::exec
