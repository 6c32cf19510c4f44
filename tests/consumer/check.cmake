# Installs the build into a scratch prefix, builds the consumer projects against it and runs them:
# the umbrella one (netkit::netkit) and the echo-only one (netkit::core netkit::echo), whose link
# must not need the libraries of the layers it does not use.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "cmake --install failed")
endif()
foreach(f lib/cmake/netkit/netkitConfig.cmake lib/cmake/netkit/netkitConfigVersion.cmake
          include/netkit/tcp_server.hpp bin/netkit)
  if(NOT EXISTS ${WORK_DIR}/prefix/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# Configures, builds (the commands echoed) and runs one consumer project; `link_out` gets the build's
# output, which holds its link line.
function(build_and_run source build exe link_out)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${source} -B ${build} ${ARGN}
                  -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release
                  RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "configuring ${source} failed")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${build} --verbose
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc)
    message(FATAL_ERROR "building ${source} failed:\n${out}")
  endif()
  execute_process(COMMAND ${build}/${exe} RESULT_VARIABLE rc OUTPUT_VARIABLE run_out)
  message(STATUS "${run_out}")
  if(rc)
    message(FATAL_ERROR "${exe} failed: ${rc}")
  endif()
  set(${link_out} "${out}" PARENT_SCOPE)
endfunction()

# What the libraries of the chat, exec, files and Redis layers look like on a link line or in ldd.
set(service_libraries "hiredis|libssl|libcrypto|-lssl|-lcrypto|libicu|-licu")

build_and_run(${SOURCE_DIR} ${WORK_DIR}/build consumer umbrella_build)
# The static libraries' users link their dependencies: the umbrella's link line names them (so the
# pattern above does find them when they are there).
if(EXISTS ${WORK_DIR}/prefix/lib/libnetkit_core.a AND NOT umbrella_build MATCHES "${service_libraries}")
  message(FATAL_ERROR "the umbrella consumer's link names no service library:\n${umbrella_build}")
endif()

# The core owns TLS (OpenSSL); the echo-only consumer must still load neither hiredis nor ICU.
set(service_libraries "hiredis|libicu|-licu")
build_and_run(${SOURCE_DIR}/echo_only ${WORK_DIR}/echo-build echo_consumer echo_build)
string(REGEX MATCH "[^\n]*-o echo_consumer[^\n]*" echo_link "${echo_build}")
if(NOT echo_link)
  message(FATAL_ERROR "no link line for echo_consumer in:\n${echo_build}")
endif()
if(echo_link MATCHES "${service_libraries}")
  message(FATAL_ERROR "the echo-only consumer links a service library (${CMAKE_MATCH_0}):\n${echo_link}")
endif()
execute_process(COMMAND ldd ${WORK_DIR}/echo-build/echo_consumer OUTPUT_VARIABLE echo_ldd)
if(echo_ldd MATCHES "${service_libraries}")
  message(FATAL_ERROR "the echo-only consumer loads a service library (${CMAKE_MATCH_0}):\n${echo_ldd}")
endif()
message(STATUS "echo-only consumer links: ${echo_link}")
