# Packaging checks, all label "c" (included at the end of
# tests/CMakeLists.txt):
#   headers_self_contained  each public header compiles alone as C99 and
#                           C++11; exports are extern "C"
#   abi_symbols             nm -D == tests/abi/symbols.expected == the
#                           version script == the BITS_API declarations;
#                           soname libopenbits.so.1
#   deb_symbols             debian/libopenbits1.symbols is what
#                           debian/gen-symbols.sh makes of symbols.expected
#   consumer_install        cmake --install into a private prefix (fixture)
#   pkgconfig_consumer      examples built with pkg-config, run
#   cmake_consumer          tests/consumer built with find_package, run
#   error_codes_doc         docs/error-codes.md is what the code table says
#   example_*               the programs in examples/ run and succeed
set(_pkg_dir ${CMAKE_CURRENT_SOURCE_DIR})
set(_pkg_timeout 120)

# ---- Public headers ---------------------------------------------------
# C++ only for this test: find a compiler without enabling the language
# for the whole project.
include(CheckLanguage)
check_language(CXX)
set(_openbits_cxx "")
if(CMAKE_CXX_COMPILER)
  set(_openbits_cxx ${CMAKE_CXX_COMPILER})
else()
  message(STATUS "openbits: no C++ compiler; headers_self_contained checks C only")
endif()
add_test(NAME headers_self_contained
  COMMAND sh ${_pkg_dir}/headers/check_headers.sh
          ${CMAKE_C_COMPILER} "${_openbits_cxx}"
          ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include
          ${_pkg_dir}/abi/symbols.expected)

# ---- Exported symbols -------------------------------------------------
add_test(NAME abi_symbols
  COMMAND sh ${_pkg_dir}/abi/check_symbols.sh
          $<TARGET_FILE:openbits> ${_pkg_dir}/abi/symbols.expected
          ${PROJECT_SOURCE_DIR}/src/openbits.map
          ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)

# ---- debian/libopenbits1.symbols says what symbols.expected says ---------
# (the package build checks it too; this catches a stale file early)
if(EXISTS ${PROJECT_SOURCE_DIR}/debian/gen-symbols.sh)
  add_test(NAME deb_symbols COMMAND sh ${PROJECT_SOURCE_DIR}/debian/gen-symbols.sh --check)
  set_tests_properties(deb_symbols PROPERTIES LABELS c TIMEOUT ${_pkg_timeout})
endif()

# ---- An installed openbits, used through pkg-config and find_package ---
set(_consumer_work ${CMAKE_CURRENT_BINARY_DIR}/consumer)
set(_consumer_env "CC=${CMAKE_C_COMPILER}" "CMAKE_GENERATOR=${CMAKE_GENERATOR}")
if(OPENBITS_SANITIZE)
  list(APPEND _consumer_env "CONSUMER_CFLAGS=-fsanitize=${OPENBITS_SANITIZE}")
endif()
# pkgconfig_consumer moves the installed prefix: it needs the relocatable
# openbits.pc (scripts/deb-check.sh checks a fixed-prefix one in a sysroot).
set(_consumer_steps install cmake)
if(OPENBITS_RELOCATABLE_PKGCONFIG)
  list(APPEND _consumer_steps pkgconfig)
else()
  message(STATUS "openbits: OPENBITS_RELOCATABLE_PKGCONFIG=OFF, no pkgconfig_consumer test")
endif()
foreach(_step ${_consumer_steps})
  if(_step STREQUAL "install")
    set(_name consumer_install)
  else()
    set(_name ${_step}_consumer)
  endif()
  add_test(NAME ${_name}
    COMMAND sh ${_pkg_dir}/consumer/run.sh ${_step}
            ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} ${_consumer_work} $<CONFIG>)
  set_tests_properties(${_name} PROPERTIES ENVIRONMENT "${_consumer_env}")
endforeach()
set_tests_properties(consumer_install PROPERTIES FIXTURES_SETUP openbits_installed)
set_tests_properties(cmake_consumer PROPERTIES FIXTURES_REQUIRED openbits_installed)

# ---- docs/error-codes.md ----------------------------------------------
add_executable(gen_error_codes ${PROJECT_SOURCE_DIR}/tools/gen_error_codes.c)
target_link_libraries(gen_error_codes PRIVATE openbits::openbits)
openbits_warnings(gen_error_codes)
add_test(NAME error_codes_doc
  COMMAND sh -c "\"$1\" \"$2\" && diff -u \"$3\" \"$2\" || {
      echo 'docs/error-codes.md is out of date (- doc, + code table). Regenerate it:' >&2
      echo '  cmake --build ${PROJECT_BINARY_DIR} --target update_error_codes_doc' >&2
      exit 1; }"
    error_codes_doc $<TARGET_FILE:gen_error_codes>
    ${CMAKE_CURRENT_BINARY_DIR}/error-codes.md.generated
    ${PROJECT_SOURCE_DIR}/docs/error-codes.md)
add_custom_target(update_error_codes_doc
  COMMAND gen_error_codes ${PROJECT_SOURCE_DIR}/docs/error-codes.md
  COMMENT "Regenerating docs/error-codes.md from the code table"
  VERBATIM)

if(TEST pkgconfig_consumer)
  set_tests_properties(pkgconfig_consumer PROPERTIES FIXTURES_REQUIRED openbits_installed
                       LABELS c TIMEOUT ${_pkg_timeout})
endif()
set_tests_properties(headers_self_contained abi_symbols consumer_install
                     cmake_consumer error_codes_doc
  PROPERTIES LABELS c TIMEOUT ${_pkg_timeout})

# ---- The examples run --------------------------------------------------
if(TARGET list_states AND TARGET download AND TARGET events AND TARGET event_loop)
  set(_ex_work ${CMAKE_CURRENT_BINARY_DIR}/examples)
  file(MAKE_DIRECTORY ${_ex_work})
  add_test(NAME example_list_states COMMAND list_states)
  add_test(NAME example_events
    COMMAND events --dir ${_ex_work} ${PROJECT_SOURCE_DIR}/README.md
            ${PROJECT_SOURCE_DIR}/CMakeLists.txt)
  file(MAKE_DIRECTORY ${_ex_work}/event_loop)
  add_test(NAME example_event_loop
    COMMAND event_loop --dir ${_ex_work}/event_loop ${PROJECT_SOURCE_DIR}/README.md
            ${PROJECT_SOURCE_DIR}/CMakeLists.txt)
  # A file:// copy in a private store; then a job that cannot finish in
  # time (nothing listens on port 9 of the loopback) must stop at the
  # timeout with exit status 3.
  add_test(NAME example_download
    COMMAND sh -c "set -e; rm -rf \"$2\"; mkdir -p \"$2\"
      \"$1\" --store \"$2/store\" --timeout 60 \"file://$3\" \"$2/copy\"
      cmp \"$3\" \"$2/copy\"
      set +e; \"$1\" --store \"$2/store\" --timeout 1 http://127.0.0.1:9/x \"$2/never\"
      test $? -eq 3 && test ! -e \"$2/never\""
    example_download $<TARGET_FILE:download> ${_ex_work}/download
    ${PROJECT_SOURCE_DIR}/README.md)
  set_tests_properties(example_list_states example_events example_event_loop example_download
    PROPERTIES LABELS c TIMEOUT ${_pkg_timeout})
endif()
