// What `spincheck init` learns from a driver's sources (pure): its routines through the instrumenter's role
// detection, the files to build, the harness face it needs, its device extension and IOCTL codes.
import { dirname, posix } from 'node:path';
import { findRoles } from '../instrument/index.js';
import type { ResolvedInclude } from '../instrument/index.js';
import { findExtension } from './extension.js';
import type { Extension } from './extension.js';
import { FACES, KIT_FILES } from './faces.js';
import type { FaceName } from './faces.js';
import { knownMajor } from './majors.js';

/** A file of the project: its path relative to the project root (with `/`), and its text. */
export interface ProjectFile {
  path: string;
  text: string;
}

export interface DispatchRoutine {
  name: string;
  /** The IRP_MJ_ names it is stored at, in code order; subscripts that are not one (a loop's `i`) are left out. */
  majors: string[];
}

export interface DriverSurvey {
  face: FaceName;
  /** Driver sources to build with the harness (project-relative). */
  sources: string[];
  /** .c files left out, and why. */
  leftOut: Array<{ path: string; reason: string }>;
  /** Directories holding the project's headers (project-relative, `.` for the root). */
  includeDirs: string[];
  dispatch: DispatchRoutine[];
  cancel: string[];
  /** The driver's DriverEntry: its file and parameter count; null when no file defines one. */
  entry: { file: string; params: number } | null;
  /** Kit face: the device extension the harness must set up, when the sources show its type. */
  extension: Extension | null;
  /** `#define IOCTL_X CTL_CODE(...)` codes in the project's headers, with the header defining each. */
  ioctls: Array<{ name: string; header: string }>;
}

const SKIP_DIRS = new Set(['node_modules', 'build', 'out', 'spincheck', 'CMakeFiles']);
const DDK_INCLUDE = /^\s*#\s*include\s*[<"](?:ddk\/)?(ntddk|wdm|ntifs)\.h[>"]/m;
const MAIN = /\bint\s+(w?main|_tmain)\s*\(/;
const IOCTL = /^\s*#\s*define\s+(IOCTL_\w+)\s+CTL_CODE\s*\(/gm;

/** True for a project path init reads: no hidden or build directory, no file of the directory init writes. */
export function surveyed(path: string): boolean {
  return !path.split('/').slice(0, -1).some((d) => d.startsWith('.') || SKIP_DIRS.has(d));
}

/** Resolves `#include "spec"` against the includer's directory, then every header directory of the project. */
function includeResolver(files: Map<string, string>, headerDirs: string[]) {
  return (spec: string, includer: string | undefined): ResolvedInclude | undefined => {
    const dirs = [includer ? dirname(includer) : '.', ...headerDirs];
    for (const d of dirs) {
      const path = posix.normalize(posix.join(d, spec));
      const text = files.get(path);
      if (text !== undefined) return { path, text };
    }
    return undefined;
  };
}

/** Reads the project: which .c files are the driver, their routines, the face, the extension and IOCTLs. */
export function surveyProject(projectFiles: ProjectFile[]): DriverSurvey {
  const files = projectFiles.filter((f) => surveyed(f.path));
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  const headers = files.filter((f) => f.path.endsWith('.h'));
  const includeDirs = [...new Set(headers.map((h) => posix.dirname(h.path)))].sort();
  const resolveInclude = includeResolver(byPath, includeDirs);
  const kitNames = new Set(Object.values(KIT_FILES).flat());
  const sources: string[] = [];
  const leftOut: DriverSurvey['leftOut'] = [];
  const dispatch = new Map<string, string[]>();
  const cancel = new Set<string>();
  let entry: DriverSurvey['entry'] = null;
  for (const f of files.filter((x) => x.path.endsWith('.c')).sort((a, b) => a.path.localeCompare(b.path))) {
    if (kitNames.has(posix.basename(f.path))) {
      leftOut.push({ path: f.path, reason: 'a file of spincheck\'s harness kit or kernel model' });
      continue;
    }
    if (MAIN.test(f.text)) {
      leftOut.push({ path: f.path, reason: 'defines main (a program or test of its own)' });
      continue;
    }
    sources.push(f.path);
    const found = findRoles(f.text, { sourceName: f.path, resolveInclude });
    for (const r of found.roles) {
      if (r.role === 'cancel') cancel.add(r.name);
      else if (r.role === 'dispatch') {
        const majors = dispatch.get(r.name) ?? [];
        for (const m of r.majors) if (knownMajor(m) && !majors.includes(m)) majors.push(m);
        dispatch.set(r.name, majors);
      }
    }
    const de = found.defined.find((d) => d.name === 'DriverEntry');
    if (de && !entry) entry = { file: f.path, params: de.params };
  }
  const ddk = files.some((f) => (sources.includes(f.path) || f.path.endsWith('.h')) && DDK_INCLUDE.test(f.text));
  const face: FaceName = ddk ? 'kernel-model' : 'kit';
  const ioctls = headers.flatMap((h) => [...h.text.matchAll(IOCTL)].map((m) => ({ name: m[1] as string, header: h.path })));
  return {
    face,
    sources,
    leftOut,
    includeDirs,
    dispatch: [...dispatch].map(([name, majors]) => ({ name, majors })).sort((a, b) => a.name.localeCompare(b.name)),
    cancel: [...cancel].sort(),
    entry,
    extension: FACES[face].needsExtension ? findExtension(files.filter((f) => sources.includes(f.path)), headers) : null,
    ioctls,
  };
}
