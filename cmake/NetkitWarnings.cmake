# Warnings are errors for the project's own targets (not for consumers of the package).
function(netkit_warnings target)
  # Options are structs with documented defaults, meant to be filled with designated initializers
  # naming only what differs; -Wextra would flag every field left to its default.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror
                                           -Wno-missing-field-initializers)
  # Sanitizer instrumentation makes GCC 12 report false "maybe uninitialized" warnings inside the
  # standard library (std::function in std::regex), and at the sanitizer builds' -O1 it pairs
  # Asio's coroutine-frame operator new and sized operator delete as "mismatched" (GCC PR 109224,
  # a known false positive for sized delete after unsized new). With TSan it warns on every
  # atomic_thread_fence in Asio, which TSan cannot model. None is about our code.
  if(NETKIT_SANITIZE)
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-mismatched-new-delete)
  endif()
  if(NETKIT_SANITIZE MATCHES "thread")
    target_compile_options(${target} PRIVATE -Wno-tsan)
  endif()
endfunction()

# Boost.Asio headers are heavy: every target that includes them gets the same precompiled header.
function(netkit_precompile target)
  target_precompile_headers(${target} PRIVATE
    <boost/asio.hpp>
    <boost/asio/experimental/awaitable_operators.hpp>
    <memory> <string> <vector> <functional>)
endfunction()
