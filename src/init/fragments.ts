// The build fragments `spincheck init` writes (pure): spincheck/spincheck.mk for make, spincheck/spincheck.cmake and a
// standalone spincheck/CMakeLists.txt for CMake, each building the starter harness with the driver through spincheck.
import { KIT_SOURCES, OUT_DIR } from './faces.js';
import type { DriverSurvey } from './survey.js';

const q = (p: string): string => p.replace(/ /g, '\\ ');

/** What the make fragment of each face adds to the common one. */
interface MakeFace {
  intro: string[];
  /** Lines before the variables (the compiler's default, the kernel model's make file). */
  setup: string[];
  /** Face sources built with the driver, and include flags after the project's. */
  sources: string[];
  includes: string;
  program: string;
  linkInputs: string;
  linkLibs: string;
}

const MAKE_FACES: Record<DriverSurvey['face'], MakeFace> = {
  kit: {
    intro: [
      '# spincheck.mk: written by `spincheck init`: builds the starter harness with the driver through spincheck-cc.',
      '#   make -f spincheck/spincheck.mk                  (from the project root; or `include spincheck/spincheck.mk`',
      '#                                                   in your Makefile and `make spincheck-harness`)',
      '#   spincheck run -- spincheck/build/harness --inject',
    ],
    setup: [],
    sources: KIT_SOURCES.map((s) => `${OUT_DIR}/${s}`),
    includes: '-I$(SPINCHECK_HERE)/harness-kit',
    program: 'harness',
    linkInputs: '$(SPINCHECK_OBJS)',
    linkLibs: '$(LDLIBS) -lpthread',
  },
  'kernel-model': {
    intro: [
      '# spincheck.mk: written by `spincheck init`: builds the starter harness with the driver, unchanged, against the',
      '# DDK headers and spincheck\'s kernel model, through spincheck-cc, as a Windows program.',
      '#   make -f spincheck/spincheck.mk                  (from the project root; mingw-w64: CC=i686-w64-mingw32-gcc',
      '#                                                   for 32-bit x86)',
      '#   spincheck run -- spincheck/build/harness.exe --inject      (under Wine on Linux)',
    ],
    setup: ['ifeq ($(origin CC),default)', 'CC = x86_64-w64-mingw32-gcc', 'endif'],
    sources: [],
    includes: '$(KM_CPPFLAGS)',
    program: 'harness.exe',
    linkInputs: '$(SPINCHECK_OBJS) $(KM_OBJS)',
    linkLibs: '$(KM_LIBS)',
  },
};

/** The make fragment for the survey's face. */
export function makeFragment(survey: DriverSurvey): string {
  const face = MAKE_FACES[survey.face];
  const kernelModel = survey.face === 'kernel-model' ? ['KM_BUILD ?= $(SPINCHECK_OUT)/kmodel', 'include $(SPINCHECK_HERE)/kernel-model/kmodel.mk'] : [];
  return [
    ...face.intro,
    '# Your CPPFLAGS and CFLAGS apply (make -f spincheck/spincheck.mk CPPFLAGS=-DDBG=1); CC is the real compiler.',
    ...face.setup,
    'ifeq ($(.DEFAULT_GOAL),)',
    '.DEFAULT_GOAL := spincheck-harness',
    'endif',
    'SPINCHECK_HERE := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))',
    'SPINCHECK_TOP := $(patsubst ./%,%,$(dir $(SPINCHECK_HERE)))',
    'SPINCHECK_WRAPPER ?= $(firstword $(wildcard $(SPINCHECK_TOP)node_modules/.bin/spincheck-cc) spincheck-cc)',
    'SPINCHECK_OUT ?= $(SPINCHECK_HERE)/build',
    ...kernelModel,
    `SPINCHECK_SRCS := ${[...survey.sources, `${OUT_DIR}/harness.c`, ...face.sources].map(q).join(' ')}`,
    `SPINCHECK_INCLUDES := ${[...survey.includeDirs.map((d) => `-I$(SPINCHECK_TOP)${q(d)}`), face.includes].join(' ')}`,
    'SPINCHECK_OBJS := $(SPINCHECK_SRCS:%.c=$(SPINCHECK_OUT)/%.o)',
    '',
    `spincheck-harness: $(SPINCHECK_OUT)/${face.program}`,
    '',
    `$(SPINCHECK_OUT)/${face.program}: ${face.linkInputs}`,
    `\t$(SPINCHECK_WRAPPER) $(CC) $(LDFLAGS) -o $@ $^ ${face.linkLibs}`,
    '',
    '$(SPINCHECK_OUT)/%.o: $(SPINCHECK_TOP)%.c',
    '\t@mkdir -p $(dir $@)',
    '\t$(SPINCHECK_WRAPPER) $(CC) $(CPPFLAGS) $(SPINCHECK_INCLUDES) $(CFLAGS) -MMD -MP -c -o $@ $<',
    '',
    '-include $(SPINCHECK_OBJS:.o=.d)',
    '',
    '.PHONY: spincheck-harness',
    '',
  ].join('\n');
}

const cmakePath = (p: string): string => `"\${SPINCHECK_TOP}/${p}"`;

/** The CMake fragment: the target spincheck_harness, compiled and linked through spincheck-cc. */
export function cmakeFragment(survey: DriverSurvey): string {
  const kit = survey.face === 'kit';
  const sources = [...survey.sources, `${OUT_DIR}/harness.c`].map(cmakePath);
  const lines = [
    '# spincheck.cmake: written by `spincheck init`: the starter harness as the target spincheck_harness, built with',
    '# the driver through spincheck-cc. include() it after project() in your CMakeLists.txt, or configure',
    '# spincheck/CMakeLists.txt on its own. spincheck-cc.cmake makes spincheck-cc the compiler and linker launcher',
    '# of every C target defined after it (spincheck-cl.cmake: spincheck-cl the compiler launcher, with cl and clang-cl).',
    'get_filename_component(SPINCHECK_TOP "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)',
    'if(MSVC)',
    '  find_program(SPINCHECK_CL spincheck-cl HINTS "${SPINCHECK_TOP}/node_modules/.bin")',
    '  include("${CMAKE_CURRENT_LIST_DIR}/spincheck-cl.cmake")',
    'else()',
    '  find_program(SPINCHECK_CC_PROGRAM spincheck-cc HINTS "${SPINCHECK_TOP}/node_modules/.bin")',
    '  include("${CMAKE_CURRENT_LIST_DIR}/spincheck-cc.cmake")',
    'endif()',
  ];
  if (kit) {
    lines.push(
      'find_package(Threads REQUIRED)',
      `add_library(spincheck_kit STATIC ${KIT_SOURCES.map((s) => `"\${CMAKE_CURRENT_LIST_DIR}/${s}"`).join(' ')})`,
      'if(WIN32)',
      '  target_sources(spincheck_kit PRIVATE "${CMAKE_CURRENT_LIST_DIR}/harness-kit/wdm_port_win32.c")',
      'endif()',
      'target_include_directories(spincheck_kit PUBLIC "${CMAKE_CURRENT_LIST_DIR}/harness-kit")',
      'target_link_libraries(spincheck_kit PUBLIC Threads::Threads)',
    );
  } else {
    lines.push('include("${CMAKE_CURRENT_LIST_DIR}/kernel-model/kmodel.cmake")');
  }
  lines.push(
    `add_executable(spincheck_harness ${sources.join(' ')})`,
    `set_target_properties(spincheck_harness PROPERTIES OUTPUT_NAME harness)`,
    `target_include_directories(spincheck_harness PRIVATE ${survey.includeDirs.map(cmakePath).join(' ')})`,
    `target_link_libraries(spincheck_harness PRIVATE ${kit ? 'spincheck_kit' : 'kmodel'})`,
    '',
  );
  return lines.join('\n');
}

/** spincheck/CMakeLists.txt: the fragment as a project of its own (`cmake -S spincheck -B spincheck/build-cmake`). */
export function cmakeProject(survey: DriverSurvey): string {
  const toolchain = survey.face === 'kit' ? [] : [
    '# The kernel model builds a Windows program: on Linux, configure with',
    '#   -DCMAKE_TOOLCHAIN_FILE=spincheck/kernel-model/mingw-w64.cmake',
  ];
  return [
    '# CMakeLists.txt: written by `spincheck init`: builds the starter harness on its own:',
    '#   cmake -S spincheck -B spincheck/build-cmake && cmake --build spincheck/build-cmake',
    ...toolchain,
    'cmake_minimum_required(VERSION 3.21)',
    'project(spincheck_harness C)',
    'include("${CMAKE_CURRENT_LIST_DIR}/spincheck.cmake")',
    '',
  ].join('\n');
}
