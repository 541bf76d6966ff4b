# spincheck: compile and link C through spincheck-cc with CMake, keeping your compiler (docs/usage.md).
#   cmake -DCMAKE_PROJECT_INCLUDE=<this file> ...          (or include() it after project())
# The linker launcher (CMake 3.21+) lets spincheck-cc add its runtime to links.
find_program(SPINCHECK_CC_PROGRAM spincheck-cc REQUIRED)
set(CMAKE_C_COMPILER_LAUNCHER "${SPINCHECK_CC_PROGRAM}")
set(CMAKE_C_LINKER_LAUNCHER "${SPINCHECK_CC_PROGRAM}")
