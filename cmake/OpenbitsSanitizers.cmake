# OPENBITS_SANITIZE=address,undefined (or thread): instrument everything,
# library, tests and the SWIG module, at compile and link time.
if(OPENBITS_SANITIZE)
  string(REPLACE "," ";" _openbits_sanitizers "${OPENBITS_SANITIZE}")
  list(JOIN _openbits_sanitizers "," _openbits_sanitize_arg)
  if("thread" IN_LIST _openbits_sanitizers AND "address" IN_LIST _openbits_sanitizers)
    message(FATAL_ERROR "OPENBITS_SANITIZE: thread cannot be combined with address")
  endif()
  add_compile_options(-fsanitize=${_openbits_sanitize_arg} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${_openbits_sanitize_arg})
  if("undefined" IN_LIST _openbits_sanitizers)
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()

# openbits_sanitizer_preload(VAR): environment entries ("NAME=value") that
# let an uninstrumented interpreter (python3, perl) load a sanitized
# module: the ASan and UBSan runtimes preloaded, leak checks off (the
# interpreter's own allocations would be reported). Empty without ASan.
function(openbits_sanitizer_preload var)
  set(_env "")
  if(OPENBITS_SANITIZE MATCHES "address")
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
                    OUTPUT_VARIABLE _ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(_env "LD_PRELOAD=${_asan}:${_ubsan}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  set(${var} "${_env}" PARENT_SCOPE)
endfunction()
