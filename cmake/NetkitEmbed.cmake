# Turns files into a C++ source that holds their bytes, so a program serves them without a data
# directory at run time. Run as a script at build time (libnetkit/CMakeLists.txt re-runs it when a
# file changes):
#   cmake -DOUTPUT=page_files.cpp -DINPUT_DIR=dir -DFILES=a.html,b.js -P NetkitEmbed.cmake
# The source defines netkit::chat::page_files() (netkit/chat/page.hpp): each file's name and bytes,
# in the order given.
string(REPLACE "," ";" FILES "${FILES}")
set(body "")
set(table "")
set(index 0)
foreach(name IN LISTS FILES)
  file(READ "${INPUT_DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  # Two hex digits per byte, written as a char array (a string literal would limit the size and
  # need escaping); a trailing 0 keeps an empty file's array legal and is not counted.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "constexpr char file${index}[] = {\n    ${bytes}0};\n")
  string(APPEND table "        {\"${name}\", std::string_view(file${index}, ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
set(text "// Generated from ${INPUT_DIR} by cmake/NetkitEmbed.cmake: do not edit.
#include <netkit/chat/page.hpp>

namespace netkit::chat {

namespace {
${body}}  // namespace

std::span<const page_file> page_files() {
    static const page_file files[] = {
${table}    };
    return files;
}

}  // namespace netkit::chat
")
file(WRITE "${OUTPUT}" "${text}")
