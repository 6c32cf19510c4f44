// Chat user names: what is allowed, and the key that makes names unique.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netkit::chat {

inline constexpr std::size_t max_name_bytes = 32;

// The name notices come from; no user may take it, nor anything that looks like it.
inline constexpr std::string_view server_name = "server";

// Why `name` cannot be used, or nullopt when it is fine: 1-32 bytes of valid UTF-8; no control,
// invisible (format, default-ignorable) or bidirectional-control characters; no white space at
// either end; no ':' (the line protocol prints "name: text"); not confusable with "server".
// Uniqueness is the hub's business.
std::optional<std::string> name_problem(std::string_view name);

// The key under which a name is unique: the Unicode UTS #39 confusable skeleton of the case-folded
// name (ICU's spoof checker), so "Bob" and "bob", or Latin "anna" and Cyrillic "аnna", are the
// same user. UTF-8; only meaningful for a name that passed name_problem().
std::string name_key(std::string_view name);

// A user who lost its name to an earlier claim on another node becomes "name~2", "name~3", ...
inline constexpr unsigned max_rename_suffix = 999;
// `name` with the suffix "~n", its end cut (whole UTF-8 characters) to stay within max_name_bytes.
std::string suffixed_name(std::string_view name, unsigned n);

}  // namespace netkit::chat
