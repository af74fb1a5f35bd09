# ctest driver (cmake -P) of the package_consumer test; variables from CMakeLists.txt.
# Every step that fails stops the test with its output.

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package_consumer: ${step} failed (${status}):\n${ARGN}\n${out}")
  endif()
  set(RUN_OUTPUT "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

# 1. Install this build (the libraries must be built: `cmake --build build` first).
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# 2. The installed package stands alone: no file of it names the source or the build tree.
file(GLOB_RECURSE installed LIST_DIRECTORIES false ${prefix}/include/* ${prefix}/lib/cmake/*)
foreach(file IN LISTS installed)
  file(READ ${file} text)
  foreach(tree IN ITEMS ${SOURCE_DIR} ${BUILD_DIR})
    string(FIND "${text}" "${tree}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "package_consumer: installed ${file} names ${tree}")
    endif()
  endforeach()
endforeach()

# 3. Configure and build examples/weff against the prefix, as a user would.
set(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/weff -B ${WORK_DIR}/build
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_C_COMPILER=${C_COMPILER})
if(CXX_LAUNCHER)
  list(APPEND configure -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER})
endif()
run("configure examples/weff" ${configure})
run("build examples/weff" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)

# 4. Run it with wires (2.5 ohm) and without; check the numbers independently.
foreach(r_wire_ohm IN ITEMS 2.5 0)
  run("weff ${r_wire_ohm}" ${WORK_DIR}/build/weff ${r_wire_ohm})
  file(WRITE ${WORK_DIR}/weff_${r_wire_ohm}.txt "${RUN_OUTPUT}")
  run("check of weff ${r_wire_ohm}" ${PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_weff.py
    ${WORK_DIR}/weff_${r_wire_ohm}.txt ${DEVICE_CARDS})
  message(STATUS "${RUN_OUTPUT}")
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
