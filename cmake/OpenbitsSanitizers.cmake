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
