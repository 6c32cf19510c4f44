# Warnings are errors for the project's own targets (not for consumers of the package).
function(netkit_warnings target)
  # Options are structs with documented defaults, meant to be filled with designated initializers
  # naming only what differs; -Wextra would flag every field left to its default.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
                                           -Wno-missing-field-initializers)
endfunction()

# Boost.Asio headers are heavy: every target that includes them gets the same precompiled header.
function(netkit_precompile target)
  target_precompile_headers(${target} PRIVATE
    <boost/asio.hpp>
    <boost/asio/experimental/awaitable_operators.hpp>
    <memory> <string> <vector> <functional>)
endfunction()
