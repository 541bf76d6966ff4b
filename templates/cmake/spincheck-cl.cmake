# spincheck: compile C through spincheck-cl with CMake's Ninja or Makefile generators (docs/msvc.md).
#   cmake -G Ninja -DCMAKE_C_COMPILER=cl -DCMAKE_PROJECT_INCLUDE=<this file> ...
# The Visual Studio generators ignore compiler launchers: use templates/msbuild/spincheck.props there.
find_program(SPINCHECK_CL spincheck-cl REQUIRED)
set(CMAKE_C_COMPILER_LAUNCHER "${SPINCHECK_CL}")
# Links run link.exe directly, never through the launcher: instrumented objects name the runtime library themselves
# (#pragma comment(lib)), so nothing more is needed here.
