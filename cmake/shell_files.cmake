# Writes the completion scripts and the man page with the built binary, from
# its own command table (src/cmd/help.c), so they describe exactly this build.
#   cmake -DBIN=path/to/crabgate -DOUT=folder -P shell_files.cmake
foreach(pair "completions;bash;crabgate.bash" "completions;zsh;_crabgate" "completions;fish;crabgate.fish"
             "help;--man;crabgate.1")
  list(GET pair 0 verb)
  list(GET pair 1 arg)
  list(GET pair 2 name)
  execute_process(COMMAND "${BIN}" ${verb} ${arg} OUTPUT_FILE "${OUT}/${name}.tmp" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${BIN} ${verb} ${arg} failed (${rc})")
  endif()
  file(RENAME "${OUT}/${name}.tmp" "${OUT}/${name}")
endforeach()
