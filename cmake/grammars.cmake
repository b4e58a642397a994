# Fetches the tree-sitter grammars with `npm pack` at pinned versions and
# checksums into the build folder, once. Their parser ABI (14) must match the
# distribution's libtree-sitter (0.20.x); 0.24.x grammars are ABI 15 and do not.
set(CRABGATE_GRAMMAR_CACHE "${CMAKE_BINARY_DIR}/grammars" CACHE PATH
    "where the fetched grammar packages are unpacked (shareable between build folders)")

function(crabgate_fetch_grammar name spec tarball sha256)
  set(dir "${CRABGATE_GRAMMAR_CACHE}/${name}")
  set(stamp "${dir}/.crabgate-${sha256}")
  if(EXISTS "${stamp}")
    set(GRAMMAR_${name}_DIR "${dir}/package/src" PARENT_SCOPE)
    return()
  endif()
  file(MAKE_DIRECTORY "${CRABGATE_GRAMMAR_CACHE}/download")
  set(tgz "${CRABGATE_GRAMMAR_CACHE}/download/${tarball}")
  if(NOT EXISTS "${tgz}")
    find_program(NPM npm REQUIRED)
    message(STATUS "crabgate: fetching ${spec} with npm pack")
    execute_process(COMMAND "${NPM}" pack --silent "${spec}"
      WORKING_DIRECTORY "${CRABGATE_GRAMMAR_CACHE}/download"
      RESULT_VARIABLE rc OUTPUT_QUIET)
    if(NOT rc EQUAL 0 OR NOT EXISTS "${tgz}")
      message(FATAL_ERROR "crabgate: `npm pack ${spec}` failed (${rc}); the grammar is needed to build")
    endif()
  endif()
  file(SHA256 "${tgz}" got)
  if(NOT got STREQUAL sha256)
    file(REMOVE "${tgz}")
    message(FATAL_ERROR "crabgate: ${tarball} has checksum ${got}, expected ${sha256}; refusing to build with it")
  endif()
  file(REMOVE_RECURSE "${dir}")
  file(MAKE_DIRECTORY "${dir}")
  file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dir}")
  file(TOUCH "${stamp}")
  set(GRAMMAR_${name}_DIR "${dir}/package/src" PARENT_SCOPE)
endfunction()

crabgate_fetch_grammar(rust "tree-sitter-rust@0.23.2" "tree-sitter-rust-0.23.2.tgz"
  "085f2e9cedb916c466b53180d6e4287148e309593e61ea92e2c4b01904d193bb")
crabgate_fetch_grammar(toml "@tree-sitter-grammars/tree-sitter-toml@0.7.0"
  "tree-sitter-grammars-tree-sitter-toml-0.7.0.tgz"
  "b3a7834caf2e5266d09fc5df0b166a665412b9688b86ac02ab172c48bdab7e13")
