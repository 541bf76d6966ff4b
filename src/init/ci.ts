// The CI files `spincheck init --ci github|gitlab` writes (pure): build the starter harness through spincheck, run it
// with cancellation injection, publish the report (SARIF to GitHub code scanning; JUnit, Cobertura and SARIF on GitLab).
import { FACES } from './faces.js';
import type { FaceName } from './faces.js';

export type CiName = 'github' | 'gitlab';

/** System packages each face's CI job installs (Debian/Ubuntu names). */
const PACKAGES: Record<FaceName, string> = {
  kit: 'gcc make',
  'kernel-model': 'gcc make mingw-w64 wine64',
};

interface CiSteps {
  install: string;
  build: string;
  run: string;
}

function steps(face: FaceName, version: string, formats: string[]): CiSteps {
  return {
    install: `npm install -g spincheck@${version}`,
    build: 'make -f spincheck/spincheck.mk',
    run: `spincheck run --fail-on violations,unchecked ${formats.map((f) => `--format ${f}`).join(' ')} --output spincheck-report/ -- ${FACES[face].program} --inject`,
  };
}

function github(face: FaceName, version: string): string {
  const s = steps(face, version, ['sarif']);
  return [
    '# spincheck.yml: written by `spincheck init --ci github`: builds the starter harness through spincheck, runs it',
    '# with cancellation injection and uploads the report to GitHub code scanning (SARIF).',
    'name: spincheck',
    '"on":',
    '  push:',
    '  pull_request:',
    'permissions:',
    '  contents: read',
    '  security-events: write',
    'jobs:',
    '  spincheck:',
    '    runs-on: ubuntu-latest',
    '    env:',
    '      SPINCHECK_SERVER_IDLE: "10"',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    '      - name: Install tools',
    '        run: |',
    `          sudo apt-get update && sudo apt-get install -y ${PACKAGES[face]}`,
    `          ${s.install}`,
    '      - name: Build the harness through spincheck',
    `        run: ${s.build}`,
    '      - name: Run the harness',
    `        run: ${s.run}`,
    '      - name: Upload SARIF to code scanning',
    '        if: always()',
    '        uses: github/codeql-action/upload-sarif@v3',
    '        with:',
    '          sarif_file: spincheck-report/spincheck.sarif',
    '          category: spincheck',
    '',
  ].join('\n');
}

function gitlab(face: FaceName, version: string): string {
  const s = steps(face, version, ['junit', 'cobertura', 'sarif']);
  return [
    '# spincheck.gitlab-ci.yml: written by `spincheck init --ci gitlab`: builds the starter harness through spincheck,',
    '# runs it with cancellation injection; violations show as failed tests (JUnit) and site coverage as coverage',
    '# (Cobertura) in merge requests; the SARIF file is kept as an artifact.',
    'spincheck:',
    '  image: node:20-bookworm',
    '  variables:',
    '    SPINCHECK_SERVER_IDLE: "10"',
    '  script:',
    `    - apt-get update && apt-get install -y ${PACKAGES[face]}`,
    `    - ${s.install}`,
    `    - ${s.build}`,
    `    - ${s.run}`,
    '  artifacts:',
    '    when: always',
    '    paths:',
    '      - spincheck-report/',
    '    reports:',
    '      junit: spincheck-report/spincheck-junit.xml',
    '      coverage_report:',
    '        coverage_format: cobertura',
    '        path: spincheck-report/cobertura.xml',
    '',
  ].join('\n');
}

/** GitLab's entry file when the project has none: it includes the job file. */
export const GITLAB_ENTRY = ['# .gitlab-ci.yml: written by `spincheck init --ci gitlab`.', 'include:', '  - local: spincheck.gitlab-ci.yml', ''].join('\n');

export const CI_FILES: Record<CiName, { path: string; text: (face: FaceName, version: string) => string }> = {
  github: { path: '.github/workflows/spincheck.yml', text: github },
  gitlab: { path: 'spincheck.gitlab-ci.yml', text: gitlab },
};
