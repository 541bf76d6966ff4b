// Fixed lists of reasons: why a command passes through untouched, why a file is compiled unchanged.

/** Why the whole command runs unchanged. Every pass-through names one of these (SPINCHECK_VERBOSE=1 prints it). */
export const PASS_THROUGH_REASONS = {
  disabled: 'SPINCHECK_DISABLE is set',
  nested: 'spincheck runs inside itself (SPINCHECK_DEPTH > 0): the outer wrapper instruments',
  query: 'a version, help or print query',
  preprocess: 'preprocess or dependency output only (-E, -M, -MM, -P; cl: /E, /EP, /P)',
  'syntax-only': 'syntax check only (-fsyntax-only)',
  assembly: 'assembly output only (-S)',
  'save-temps': '-save-temps writes intermediate files named after the source',
  stdin: 'a source read from standard input',
  'no-inputs': 'no input files',
  'nothing-to-do': 'no C source needs instrumenting and nothing is linked',
  'unparsable': 'the arguments could not be understood',
  'precompiled-header': 'cl precompiled headers (/Yc, /Yu): cl skips the text before the header, #line included',
  'temp-failed': 'the instrumented copy could not be written to the temp directory',
  'unsupported-output': 'an output that names the compiled file and that spincheck cannot rewrite (/sourceDependencies)',
} as const;
export type PassThroughReason = keyof typeof PASS_THROUGH_REASONS;

/** Why one C source was compiled unchanged; recorded in its site database as `reason`. */
export const UNINSTRUMENTED_REASONS = {
  'instrument-error': 'the instrumenter failed',
  'instrumenter-declined': 'the instrumenter left the file unchanged',
  'instrumented-compile-failed': 'the instrumented copy did not compile where the original did',
  'temp-write-failed': 'the instrumented copy could not be written (temp directory missing, unwritable or full)',
} as const;
export type UninstrumentedReason = keyof typeof UNINSTRUMENTED_REASONS;
