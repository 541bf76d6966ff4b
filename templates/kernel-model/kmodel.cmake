# kmodel.cmake: the spincheck kernel model for a driver's CMake project (what kmodel.mk is for make).
#
#   project(mydriver C)
#   include(path/to/templates/kernel-model/kmodel.cmake)
#   add_executable(harness driver.c harness.c)
#   target_link_libraries(harness PRIVATE kmodel)   # the DDK headers, kmodel.h, the port header force-included
#
# The driver goes through spincheck with templates/cmake/spincheck-cc.cmake (gcc, clang) or spincheck-cl.cmake
# (cl, clang-cl). The model is its own static library with no compiler launcher: spincheck checks the driver,
# not the model (which implements the lock API and would otherwise be instrumented as driver code).
# KM_DDK names the DDK include directory: mingw-w64's by default; with cl or clang-cl, the WDK's km directory.
if(NOT WIN32)
  message(FATAL_ERROR "kmodel.cmake: the kernel model builds Windows programs; use a Windows compiler "
                      "(or a toolchain file such as templates/kernel-model/mingw-w64.cmake)")
endif()
set(KM_DIR "${CMAKE_CURRENT_LIST_DIR}")
if(MSVC)
  set(_km_ddk "$ENV{WindowsSdkDir}Include/$ENV{WindowsSDKLibVersion}km")
  set(_km_force_include "/FI${KM_DIR}/kmodel_port.h")
else()
  set(_km_ddk "/usr/share/mingw-w64/include/ddk")
  set(_km_force_include "SHELL:-include \"${KM_DIR}/kmodel_port.h\"")
endif()
set(KM_DDK "${_km_ddk}" CACHE PATH "DDK include directory (the one with ntddk.h)")
if(NOT EXISTS "${KM_DDK}/ntddk.h")
  message(FATAL_ERROR "kmodel.cmake: no ntddk.h in KM_DDK (${KM_DDK})")
endif()

# km_port_win32.c includes <windows.h>, so it is compiled without the DDK headers.
add_library(kmodel_host OBJECT "${KM_DIR}/km_port_win32.c")
add_library(kmodel_core OBJECT "${KM_DIR}/km_io.c" "${KM_DIR}/km_ke.c" "${KM_DIR}/km_ex.c")
set(_km_stubs)
if(NOT MSVC)
  # km_stubs.c: every export of libntoskrnl.a/libhal.a the DDK declares and the model does not implement, as a
  # stub that stops the run naming itself (km_stubs.sh reads the import libraries, the headers and the model's
  # objects). MSVC builds have no stubs: an unmodelled call fails at link time there. KM_HOST_LIBS lists more
  # libraries the harness links, as file names (libntdll.a): their exports get no stub, so the link takes theirs.
  set(_km_stubs "${CMAKE_CURRENT_BINARY_DIR}/kmodel/km_stubs.c")
  string(REPLACE ";" " " _km_host_libs "${KM_HOST_LIBS}")
  add_custom_command(OUTPUT "${_km_stubs}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/kmodel"
    COMMAND ${CMAKE_COMMAND} -E env "NM=${CMAKE_NM}" "KM_HOST_LIBS=${_km_host_libs}" SPINCHECK_DISABLE=1
            sh "${KM_DIR}/km_stubs.sh" "${CMAKE_C_COMPILER}" "${KM_DDK}" "${_km_stubs}" $<TARGET_OBJECTS:kmodel_core>
    DEPENDS kmodel_core $<TARGET_OBJECTS:kmodel_core> "${KM_DIR}/km_stubs.sh"
    COMMAND_EXPAND_LISTS VERBATIM)
endif()
add_library(kmodel STATIC $<TARGET_OBJECTS:kmodel_core> $<TARGET_OBJECTS:kmodel_host> ${_km_stubs})
set_target_properties(kmodel kmodel_core kmodel_host PROPERTIES C_COMPILER_LAUNCHER "" C_STANDARD 99 C_EXTENSIONS ON)
target_include_directories(kmodel_core PUBLIC "${KM_DDK}" "${KM_DIR}")
target_compile_options(kmodel_core PUBLIC "${_km_force_include}")
target_include_directories(kmodel PUBLIC "${KM_DDK}" "${KM_DIR}")
target_compile_options(kmodel PUBLIC "${_km_force_include}")
