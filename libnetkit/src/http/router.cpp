#include <netkit/http/router.hpp>

namespace netkit::http {

router& router::get(std::string path, handler h) {
    routes_.insert_or_assign(std::move(path), std::move(h));
    return *this;
}

const handler* router::find(std::string_view path) const {
    const auto it = routes_.find(path.substr(0, path.find('?')));
    return it == routes_.end() ? nullptr : &it->second;
}

}  // namespace netkit::http
