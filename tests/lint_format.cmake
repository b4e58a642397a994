# Fails when a C file of the project is not as clang-format (with the
# repository's .clang-format) would write it; the message names the files and
# the command that fixes them. Run with -DROOT=<source dir> -DCLANG_FORMAT=<exe>.
file(GLOB_RECURSE files "${ROOT}/src/*.[ch]" "${ROOT}/tests/*.[ch]" "${ROOT}/bench/*.[ch]")
execute_process(COMMAND "${CLANG_FORMAT}" --dry-run -Werror ${files}
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  string(REGEX MATCHALL "[^\n:]+\\.[ch]:[0-9]+:[0-9]+: error" hits "${out}")
  set(bad)
  foreach(h IN LISTS hits)
    string(REGEX REPLACE ":[0-9]+:[0-9]+: error$" "" f "${h}")
    file(RELATIVE_PATH rel "${ROOT}" "${f}")
    list(APPEND bad "${rel}")
  endforeach()
  list(REMOVE_DUPLICATES bad)
  list(JOIN bad " " names)
  message(FATAL_ERROR "not formatted: ${names}\nfix: clang-format -i ${names}")
endif()
list(LENGTH files n)
message(STATUS "all ${n} C files are formatted")
