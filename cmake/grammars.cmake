# Fetches the tree-sitter runtime and grammars with `npm pack` at pinned
# versions and checksums into the build folder, once. The runtime is built
# from source, not taken from the distribution: Debian 12's libtree-sitter
# 0.20.7 keeps a node's child count in 16 bits and frees an invalid pointer
# when error recovery makes a node of 65,536 children (docs/security.md).
# The grammars are ABI 14, which the 0.25 runtime loads (it reads 13 to 15).
# The environment variable of the same name sets the default, so CI scripts
# (and their tests) can share one cache without passing a cmake option.
if(DEFINED ENV{CRABGATE_GRAMMAR_CACHE} AND NOT "$ENV{CRABGATE_GRAMMAR_CACHE}" STREQUAL "")
  set(cg_grammar_cache "$ENV{CRABGATE_GRAMMAR_CACHE}")
else()
  set(cg_grammar_cache "${CMAKE_BINARY_DIR}/grammars")
endif()
set(CRABGATE_GRAMMAR_CACHE "${cg_grammar_cache}" CACHE PATH
    "where the fetched grammar packages are unpacked (shareable between build folders)")

# Unpacks `subdir` of the package (all of it when empty) and sets
# GRAMMAR_<name>_DIR to <package>/<src> and
# GRAMMAR_<name>_VERSION to the pinned version (`crabgate version --verbose`).
function(crabgate_fetch_npm name spec tarball sha256 subdir src)
  string(REGEX REPLACE ".*@" "" version "${spec}")
  set(GRAMMAR_${name}_VERSION "${version}" PARENT_SCOPE)
  set(dir "${CRABGATE_GRAMMAR_CACHE}/${name}")
  set(stamp "${dir}/.crabgate-${sha256}")
  if(EXISTS "${stamp}")
    set(GRAMMAR_${name}_DIR "${dir}/package/${src}" PARENT_SCOPE)
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
  if(subdir)
    file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dir}" PATTERNS "package/${subdir}")
  else()
    file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dir}")
  endif()
  file(TOUCH "${stamp}")
  set(GRAMMAR_${name}_DIR "${dir}/package/${src}" PARENT_SCOPE)
endfunction()

# The Node binding's package carries the C runtime's source; only that is used.
crabgate_fetch_npm(runtime "tree-sitter@0.25.1" "tree-sitter-0.25.1.tgz"
  "07aeba8dd71630e7e72b2d4ca3bd2680c3471824100cc5ebff44e78a6ed0b6d3"
  "vendor/tree-sitter/lib" "vendor/tree-sitter/lib")
crabgate_fetch_npm(rust "tree-sitter-rust@0.23.2" "tree-sitter-rust-0.23.2.tgz"
  "085f2e9cedb916c466b53180d6e4287148e309593e61ea92e2c4b01904d193bb" "" "src")
crabgate_fetch_npm(toml "@tree-sitter-grammars/tree-sitter-toml@0.7.0"
  "tree-sitter-grammars-tree-sitter-toml-0.7.0.tgz"
  "b3a7834caf2e5266d09fc5df0b166a665412b9688b86ac02ab172c48bdab7e13" "" "src")
