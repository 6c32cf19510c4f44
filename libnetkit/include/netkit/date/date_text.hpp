// The date line as `date` prints it in the C locale, and what counts as a date request.
#pragma once

#include <chrono>
#include <span>
#include <string>

namespace netkit::date {

// strftime "%a %b %e %H:%M:%S %Z %Y" in local time, followed by "\n".
std::string format_date(std::chrono::system_clock::time_point when);

// True for a payload of exactly "date", "date\n" or "date\r\n".
bool is_date_request(std::span<const char> payload);

}  // namespace netkit::date

// The names of netkit 0.x, before each service had its namespace: kept so programs written
// against them still build. New code says netkit::date::.
namespace netkit {
using date::format_date;
using date::is_date_request;
}  // namespace netkit
