# Packaging checks, all label "c" (included at the end of
# tests/CMakeLists.txt):
#   headers_self_contained  each public header compiles alone as C99 and
#                           C++11; exports are extern "C"
#   abi_symbols             nm -D == tests/abi/symbols.expected == the
#                           version script == the BITS_API declarations;
#                           soname libopenbits.so.1
#   abi_layout              abidiff: signatures and public types ==
#                           tests/abi/libopenbits.abi (needs -g)
#   deb_symbols             debian/libopenbits1.symbols is what
#                           debian/gen-symbols.sh makes of symbols.expected
#   consumer_install        cmake --install into a private prefix (fixture),
#                           moved; its openbits, openbitsd and modules run
#                           from there by RUNPATH $ORIGIN, no LD_LIBRARY_PATH
#   pkgconfig_consumer      examples built with pkg-config, run
#   cmake_consumer          tests/consumer built with find_package, run
#   error_codes_doc         docs/error-codes.md is what the code table says
#   systemd_unit_security   systemd-analyze security rates the configured
#                           openbitsd.service 5.0 or better
#   systemd_unit_transfer   the installed openbitsd, started by a systemd user
#                           manager from the installed unit, transfers a
#                           job, sandboxed
#   example_*               the programs in examples/ run and succeed
#   api_docs                Doxygen over the headers without a warning (no
#                           undocumented public name); a man 3 page of
#                           its own for every exported function
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

# ---- The API reference (docs/Doxyfile.in) -----------------------------
# Skipped (77) where doxygen is not installed; scripts/test.sh installs it.
add_test(NAME api_docs
  COMMAND sh ${_pkg_dir}/docs/check_api_docs.sh
          "${DOXYGEN_EXECUTABLE}" ${OPENBITS_DOXYFILE} ${Python3_EXECUTABLE}
          ${PROJECT_SOURCE_DIR}/docs/split_man_pages.py
          ${CMAKE_CURRENT_BINARY_DIR}/api_docs ${_pkg_dir}/abi/symbols.expected)
set_tests_properties(api_docs PROPERTIES SKIP_RETURN_CODE 77)

# ---- Exported symbols -------------------------------------------------
add_test(NAME abi_symbols
  COMMAND sh ${_pkg_dir}/abi/check_symbols.sh
          $<TARGET_FILE:openbits> ${_pkg_dir}/abi/symbols.expected
          ${PROJECT_SOURCE_DIR}/src/openbits.map
          ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)

# ---- Signatures and layouts (libabigail) -------------------------------
# abidiff of the committed baseline against the library's debug info,
# public types only; skipped (77) without abigail-tools or without -g.
add_test(NAME abi_layout
  COMMAND sh ${_pkg_dir}/abi/check_layout.sh check
          $<TARGET_FILE:openbits> ${_pkg_dir}/abi/libopenbits.abi
          ${PROJECT_SOURCE_DIR}/include/openbits ${PROJECT_SOURCE_DIR})
set_tests_properties(abi_layout PROPERTIES SKIP_RETURN_CODE 77)
add_custom_target(update_abi_baseline
  COMMAND sh ${_pkg_dir}/abi/check_layout.sh update
          $<TARGET_FILE:openbits> ${_pkg_dir}/abi/libopenbits.abi
          ${PROJECT_SOURCE_DIR}/include/openbits ${PROJECT_SOURCE_DIR}
  DEPENDS openbits
  COMMENT "Regenerating tests/abi/libopenbits.abi from the built library (abidw)"
  VERBATIM)

# ---- debian/libopenbits1.symbols says what symbols.expected says ---------
# (the package build checks it too; this catches a stale file early)
if(EXISTS ${PROJECT_SOURCE_DIR}/debian/gen-symbols.sh)
  add_test(NAME deb_symbols COMMAND sh ${PROJECT_SOURCE_DIR}/debian/gen-symbols.sh --check)
  set_tests_properties(deb_symbols PROPERTIES LABELS c TIMEOUT ${_pkg_timeout})
endif()

# ---- An installed openbits, used through pkg-config and find_package ---
set(_consumer_work ${CMAKE_CURRENT_BINARY_DIR}/consumer)
set(_consumer_env "CC=${CMAKE_C_COMPILER}" "CMAKE_GENERATOR=${CMAKE_GENERATOR}"
    "CONSUMER_PYTHON=${Python3_EXECUTABLE}")
if(OPENBITS_SANITIZE)
  list(APPEND _consumer_env "CONSUMER_CFLAGS=-fsanitize=${OPENBITS_SANITIZE}")
  # python3 and perl are not instrumented: preload the runtimes to import
  # the installed (sanitized) modules.
  openbits_sanitizer_preload(_consumer_preload)
  list(JOIN _consumer_preload " " _consumer_preload)
  list(APPEND _consumer_env "CONSUMER_PRELOAD=${_consumer_preload}")
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
set_tests_properties(headers_self_contained api_docs abi_symbols abi_layout consumer_install
                     cmake_consumer error_codes_doc
  PROPERTIES LABELS c TIMEOUT ${_pkg_timeout})

# ---- openbitsd's systemd user unit -------------------------------------
# Its sandbox rated offline (skipped without systemd-analyze), and the
# daemon run from it by a user manager (this user's, or a private one as
# nobody when root; else skipped, saying why): tests/daemon/.
set(_unit ${PROJECT_BINARY_DIR}/daemon/openbitsd.service)
add_test(NAME systemd_unit_security
  COMMAND sh ${_pkg_dir}/daemon/check_unit_security.sh ${_unit} 5.0)
# The installed unit and programs (consumer_install's prefix), as users
# run them: the library found by RUNPATH.
add_test(NAME systemd_unit_transfer
  COMMAND sh ${_pkg_dir}/daemon/unit_transfer.sh ${_consumer_work}/prefix ${Python3_EXECUTABLE}
          ${PROJECT_SOURCE_DIR}/python_tests/server/openbits_test_server.py
          ${CMAKE_CURRENT_BINARY_DIR}/unit_transfer)
set(_unit_env "")
if(OPENBITS_SANITIZE MATCHES "address")
  set(_unit_env "OPENBITS_UNIT_ENVIRONMENT=ASAN_OPTIONS=detect_leaks=0")
endif()
set_tests_properties(systemd_unit_security systemd_unit_transfer PROPERTIES
    LABELS c SKIP_RETURN_CODE 77 TIMEOUT 180 ENVIRONMENT "${_unit_env}")
set_tests_properties(systemd_unit_transfer PROPERTIES FIXTURES_REQUIRED openbits_installed)

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
