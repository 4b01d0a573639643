# Packaging checks, label "c": headers stand alone (C99 and C++), the
# exported symbols are exactly the reviewed list, an installed openbits is
# usable through pkg-config and find_package, and docs/error-codes.md is
# what the code table says.
include(CheckLanguage)
check_language(CXX)
set(_openbits_cxx "")
if(CMAKE_CXX_COMPILER)
  set(_openbits_cxx ${CMAKE_CXX_COMPILER})
endif()

add_test(NAME headers_self_contained
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/headers/check_headers.sh
          ${CMAKE_C_COMPILER} "${_openbits_cxx}"
          ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)

add_test(NAME abi_symbols
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/abi/check_symbols.sh
          $<TARGET_FILE:openbits> ${CMAKE_CURRENT_SOURCE_DIR}/abi/symbols.expected)

add_test(NAME pkgconfig_consumer
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh
          ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/consumer)

add_executable(gen_error_codes ${PROJECT_SOURCE_DIR}/tools/gen_error_codes.c)
target_link_libraries(gen_error_codes PRIVATE openbits::openbits)
openbits_warnings(gen_error_codes)
add_test(NAME error_codes_doc
  COMMAND sh -c "$<TARGET_FILE:gen_error_codes> | diff -u ${PROJECT_SOURCE_DIR}/docs/error-codes.md - || { echo 'regenerate: gen_error_codes > docs/error-codes.md'; exit 1; }")

if(OPENBITS_SANITIZE)
  set_tests_properties(pkgconfig_consumer PROPERTIES
    ENVIRONMENT "CONSUMER_CFLAGS=-fsanitize=${OPENBITS_SANITIZE}")
endif()

set_tests_properties(headers_self_contained abi_symbols pkgconfig_consumer error_codes_doc
  PROPERTIES LABELS c TIMEOUT 300)
