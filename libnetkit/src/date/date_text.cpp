#include <netkit/date/date_text.hpp>

#include <ctime>
#include <string_view>

namespace netkit::date {

std::string format_date(std::chrono::system_clock::time_point when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    localtime_r(&t, &local);
    char text[128];
    // netkit never calls setlocale, so strftime uses the C locale, like `LC_ALL=C date`.
    const auto n = std::strftime(text, sizeof text, "%a %b %e %H:%M:%S %Z %Y\n", &local);
    return std::string(text, n);
}

bool is_date_request(std::span<const char> payload) {
    const std::string_view text(payload.data(), payload.size());
    return text == "date" || text == "date\n" || text == "date\r\n";
}

}  // namespace netkit::date
