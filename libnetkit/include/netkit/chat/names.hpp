// Chat user names: what is allowed, and the key that makes names unique.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

inline constexpr std::size_t max_name_bytes = 32;

// The name notices come from; no user may take it, in any letter case.
inline constexpr std::string_view server_name = "server";

// Why `name` cannot be used (1-32 bytes of valid UTF-8, no control characters, not "server"),
// or nullopt when it is fine. Uniqueness is the hub's business.
std::optional<std::string> name_problem(std::string_view name);

// The key under which a name is unique: ASCII letters folded to lower case, so "Bob" and "bob"
// are the same user while other bytes compare exactly.
std::string name_key(std::string_view name);

}  // namespace netkit::chat
