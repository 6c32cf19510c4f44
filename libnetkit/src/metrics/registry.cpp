#include <netkit/metrics/registry.hpp>

#include <algorithm>
#include <stdexcept>

namespace netkit::metrics {

namespace {

bool name_char(char c, bool first, bool colon_allowed) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    return letter || (colon_allowed && c == ':') || (!first && c >= '0' && c <= '9');
}

bool valid_name(const std::string& s, bool colon_allowed) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!name_char(s[i], i == 0, colon_allowed)) return false;
    return true;
}

// HELP text escapes backslash and newline; label values also escape the double quote.
std::string escaped(const std::string& text, bool quote) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (quote && c == '"') out += "\\\"";
        else out += c;
    }
    return out;
}

}  // namespace

std::size_t detail::assign_shard() noexcept {
    // Only hands out shard numbers (no server state): the first shard_count threads never share.
    static std::atomic<std::size_t> next{0};
    return next.fetch_add(1, std::memory_order_relaxed) % counter::shard_count;
}

std::uint64_t counter::value() const noexcept {
    std::uint64_t sum = 0;
    for (const auto& s : shards_) sum += s.value.load(std::memory_order_relaxed);
    return sum;
}

counter& registry::add_counter(const std::string& name, const std::string& help, label_list labels) {
    if (!name.ends_with("_total")) throw std::invalid_argument("counter name '" + name + "' must end in _total");
    return *add_series(name, help, kind::counter, std::move(labels)).count;
}

gauge& registry::add_gauge(const std::string& name, const std::string& help, label_list labels) {
    return *add_series(name, help, kind::gauge, std::move(labels)).level;
}

registry::series& registry::add_series(const std::string& name, const std::string& help, kind type,
                                       label_list labels) {
    if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name '" + name + "'");
    for (const auto& [label, value] : labels)
        if (!valid_name(label, false) || label.starts_with("__"))
            throw std::invalid_argument("invalid label name '" + label + "' for " + name);
    std::lock_guard lock(mutex_);
    auto f = std::find_if(families_.begin(), families_.end(), [&](const family& x) { return x.name == name; });
    if (f == families_.end()) {
        families_.push_back({name, help, type, {}});
        f = std::prev(families_.end());
    } else if (f->type != type) {
        throw std::invalid_argument("metric " + name + " is registered with another type");
    }
    for (const auto& s : f->members)
        if (s.labels == labels) throw std::invalid_argument("metric " + name + " registered twice with the same labels");
    series s{std::move(labels), nullptr, nullptr};
    if (type == kind::counter)
        s.count = std::make_unique<counter>();
    else
        s.level = std::make_unique<gauge>();
    f->members.push_back(std::move(s));
    return f->members.back();
}

std::string registry::render() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& f : families_) {
        out += "# HELP " + f.name + " " + escaped(f.help, false) + "\n";
        out += "# TYPE " + f.name + (f.type == kind::counter ? " counter\n" : " gauge\n");
        for (const auto& s : f.members) {
            out += f.name;
            if (!s.labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < s.labels.size(); ++i) {
                    if (i > 0) out += ',';
                    out += s.labels[i].first + "=\"" + escaped(s.labels[i].second, true) + "\"";
                }
                out += '}';
            }
            out += ' ';
            out += s.count ? std::to_string(s.count->value()) : std::to_string(s.level->value());
            out += '\n';
        }
    }
    return out;
}

}  // namespace netkit::metrics
