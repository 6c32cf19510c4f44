#include <netkit/http/router.hpp>

namespace netkit::http {

namespace {
std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }
}  // namespace

router& router::get(std::string path, handler h) {
    routes_.insert_or_assign(std::move(path), std::move(h));
    return *this;
}

const handler* router::find(std::string_view path) const {
    const auto it = routes_.find(path_of(path));
    return it == routes_.end() ? nullptr : &it->second;
}

router& router::upgrade(std::string path, upgrade_route route) {
    upgrades_.insert_or_assign(std::move(path), std::move(route));
    return *this;
}

const upgrade_route* router::find_upgrade(std::string_view path) const {
    const auto it = upgrades_.find(path_of(path));
    return it == upgrades_.end() ? nullptr : &it->second;
}

}  // namespace netkit::http
