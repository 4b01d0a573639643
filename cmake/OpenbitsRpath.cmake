# Installed programs and modules find libopenbits.so.1 relative to
# themselves: a RUNPATH of $ORIGIN/<path from their directory to the
# libdir> (e.g. $ORIGIN/../lib for bin/openbits), so an install into any
# prefix (`cmake --install build --prefix /opt/x`), or a prefix moved
# elsewhere, runs without LD_LIBRARY_PATH or ldconfig. The build tree
# keeps CMake's usual absolute build RPATH; `cmake --install` rewrites it.
# Distribution packages that install into /usr may turn it off.
option(OPENBITS_INSTALL_RPATH
       "Give installed programs and modules a RUNPATH $ORIGIN/<relative libdir>" ON)

# openbits_install_rpath(TARGET DESTINATION): DESTINATION is the target's
# install directory as given to install(), relative to the prefix or
# absolute.
function(openbits_install_rpath target destination)
  if(NOT OPENBITS_INSTALL_RPATH)
    return()
  endif()
  # Both relative to the prefix (the usual case): the path between them
  # does not depend on the prefix chosen at install time.
  set(_dest "${destination}")
  if(NOT IS_ABSOLUTE "${_dest}")
    set(_dest "/prefix/${_dest}")
  endif()
  set(_lib "${CMAKE_INSTALL_LIBDIR}")
  if(NOT IS_ABSOLUTE "${_lib}")
    set(_lib "/prefix/${_lib}")
  endif()
  file(RELATIVE_PATH _rel "${_dest}" "${_lib}")
  string(REGEX REPLACE "/$" "" _rel "${_rel}")
  if(_rel STREQUAL "")
    set(_rpath "$ORIGIN")
  else()
    set(_rpath "$ORIGIN/${_rel}")
  endif()
  set_target_properties(${target} PROPERTIES INSTALL_RPATH "${_rpath}")
endfunction()
