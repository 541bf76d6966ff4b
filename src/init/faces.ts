// The two harness faces `spincheck init` can write: the harness kit (drivers on wdm_user.h) and the kernel model
// (drivers compiled unchanged against the DDK headers, run as Windows programs). One row each.
export type FaceName = 'kit' | 'kernel-model';

export interface Face {
  /** templates/ directories copied into the project's spincheck/ directory (siblings: the kit includes ../io-core). */
  copies: string[];
  /** The device extension is the harness's to set up (the kit); the kernel model's driver makes its own devices. */
  needsExtension: boolean;
  /** The harness program built (project-relative). */
  program: string;
}

export const OUT_DIR = 'spincheck';

/** The harness kit's C sources built with a POSIX harness, as they sit in the copied directory. */
export const KIT_SOURCES = ['harness-kit/wdm_user.c', 'harness-kit/wdm_harness.c'];

export const FACES: Record<FaceName, Face> = {
  kit: {
    copies: ['harness-kit', 'io-core'],
    needsExtension: true,
    program: `${OUT_DIR}/build/harness`,
  },
  'kernel-model': {
    copies: ['kernel-model', 'io-core'],
    needsExtension: false,
    program: `${OUT_DIR}/build/harness.exe`,
  },
};

/** Basenames of the C files of each face's templates: a project's copy of one is not driver code. */
export const KIT_FILES: Record<FaceName, string[]> = {
  kit: ['wdm_user.c', 'wdm_harness.c', 'wdm_port_win32.c'],
  'kernel-model': ['km_io.c', 'km_ke.c', 'km_ex.c', 'km_port_win32.c'],
};
