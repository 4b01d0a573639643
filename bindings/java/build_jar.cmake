# build_jar.cmake - compiles the Java sources of SOURCE_DIRS (every
# *.java under them, found now: SWIG's generated files are known only
# after it ran) into CLASSES and packs them into JAR (when given).
#   cmake -DJAVAC=... -DJAR_TOOL=... -DSOURCE_DIRS="a;b" -DCLASSES=dir
#         [-DCLASSPATH=...] [-DJAR=out.jar] [-DSTAMP=file] -P build_jar.cmake
set(_sources "")
foreach(_dir ${SOURCE_DIRS})
  file(GLOB_RECURSE _found ${_dir}/*.java)
  list(APPEND _sources ${_found})
endforeach()
list(SORT _sources)
file(REMOVE_RECURSE ${CLASSES})
file(MAKE_DIRECTORY ${CLASSES})
set(_cp "")
if(CLASSPATH)
  set(_cp -classpath ${CLASSPATH})
endif()
# Java 11 bytecode, UTF-8 sources; SWIG's generated proxies use the
# deprecated finalize(), hence no -Werror on the whole.
execute_process(COMMAND ${JAVAC} --release 11 -encoding UTF-8 -Xlint:-deprecation,-removal
                        -d ${CLASSES} ${_cp} ${_sources}
                RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "javac failed")
endif()
if(JAR)
  execute_process(COMMAND ${JAR_TOOL} --create --file ${JAR} -C ${CLASSES} . RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "jar failed")
  endif()
endif()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
