# Warning flags for code of this project (not for generated SWIG code).
set(OPENBITS_WARNING_FLAGS
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wpointer-arith -Wformat=2 -Wundef -Wvla)
if(OPENBITS_WERROR)
  list(APPEND OPENBITS_WARNING_FLAGS -Werror)
endif()

function(openbits_warnings target)
  target_compile_options(${target} PRIVATE ${OPENBITS_WARNING_FLAGS})
endfunction()
