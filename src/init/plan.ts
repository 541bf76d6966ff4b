// What `spincheck init` writes, decided without IO: the files for a surveyed driver, and which of them a project's
// existing files keep from being written (nothing is ever overwritten).
import { CI_FILES, GITLAB_ENTRY } from './ci.js';
import type { CiName } from './ci.js';
import { FACES, OUT_DIR } from './faces.js';
import { cmakeFragment, cmakeProject, makeFragment } from './fragments.js';
import { harnessText } from './harness.js';
import { surveyProject } from './survey.js';
import type { DriverSurvey, ProjectFile } from './survey.js';

export interface InitOptions {
  ci?: CiName;
  /** spincheck's version, pinned in CI files. */
  version: string;
}

/** A file to write (project-relative path), with a note for the summary when it needs the user's attention. */
export interface Output {
  path: string;
  text: string;
  /** Written only when the project has no file at `path`; otherwise `instead` is said. */
  instead?: string;
}

export interface Plan {
  survey: DriverSurvey;
  outputs: Output[];
}

/** Template files by path relative to templates/ (`harness-kit/wdm_user.h`). */
export type Templates = ReadonlyMap<string, string>;

/** The files init writes for the project: copied templates, harness, build fragments, CI files. */
export function planInit(files: ProjectFile[], templates: Templates, options: InitOptions): Plan {
  const survey = surveyProject(files);
  const face = FACES[survey.face];
  const copied = [...templates]
    .filter(([path]) => face.copies.some((dir) => path.startsWith(`${dir}/`)))
    .map(([path, text]) => ({ path: `${OUT_DIR}/${path}`, text }));
  const launchers = ['spincheck-cc.cmake', 'spincheck-cl.cmake'].flatMap((name) => {
    const text = templates.get(`cmake/${name}`);
    return text === undefined ? [] : [{ path: `${OUT_DIR}/${name}`, text }];
  });
  const outputs: Output[] = [
    ...copied,
    ...launchers,
    { path: `${OUT_DIR}/harness.c`, text: harnessText(survey) },
    { path: `${OUT_DIR}/spincheck.mk`, text: makeFragment(survey) },
    { path: `${OUT_DIR}/spincheck.cmake`, text: cmakeFragment(survey) },
    { path: `${OUT_DIR}/CMakeLists.txt`, text: cmakeProject(survey) },
    // Every compile under the root (make's, or CMake's in its build directory) records into the root's .spincheck/.
    { path: 'spincheck.config.json', text: `${JSON.stringify({ dataDir: '.spincheck' }, null, 2)}\n`, instead: 'kept: set "dataDir" in it so that CMake builds record where `spincheck run` looks' },
  ];
  if (options.ci) {
    const ci = CI_FILES[options.ci];
    outputs.push({ path: ci.path, text: ci.text(survey.face, options.version) });
    if (options.ci === 'gitlab') {
      outputs.push({ path: '.gitlab-ci.yml', text: GITLAB_ENTRY, instead: `add to your .gitlab-ci.yml:  include: [{ local: ${ci.path} }]` });
    }
  }
  return { survey, outputs };
}

export type Decision = { output: Output; action: 'write' } | { output: Output; action: 'skip'; why: string };

/** Each output written, or skipped because the project already has that file (same text: nothing to do). */
export function decide(outputs: Output[], existing: (path: string) => string | undefined): Decision[] {
  return outputs.map((output) => {
    const text = existing(output.path);
    if (text === undefined) return { output, action: 'write' };
    const why = text === output.text ? 'unchanged' : output.instead ?? 'exists: kept as it is (remove it to have init write it)';
    return { output, action: 'skip', why };
  });
}
