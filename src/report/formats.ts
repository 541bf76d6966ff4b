// The table of report formats: name -> renderer and default file name.
import { renderCobertura } from './cobertura.js';
import type { FileSummary, Report } from './merge.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderLcov } from './lcov.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export interface RenderContext {
  color: boolean;
  /** Absolute directory that display paths are relative to (--source-root, else the working directory). */
  sourceRoot: string;
  /** spincheck's version, for formats that name the tool. */
  toolVersion: string;
  /** Text of a source file for annotated views, or null when it is not shown (outside the root, unreadable). */
  sourceText: (file: FileSummary) => string | null;
}

export interface Format {
  /** File name used when several formats are written into the --output directory. */
  file: string;
  render: (report: Report, ctx: RenderContext) => string;
}

export const FORMATS: Record<string, Format> = {
  text: { file: 'spincheck.txt', render: (r, ctx) => renderText(r, { color: ctx.color, root: ctx.sourceRoot }) },
  json: { file: 'spincheck.json', render: (r) => renderJson(r) },
  sarif: { file: 'spincheck.sarif', render: (r, ctx) => renderSarif(r, ctx) },
  lcov: { file: 'lcov.info', render: (r) => renderLcov(r) },
  html: { file: 'spincheck.html', render: (r, ctx) => renderHtml(r, ctx) },
  junit: { file: 'spincheck-junit.xml', render: (r) => renderJunit(r) },
  cobertura: { file: 'cobertura.xml', render: (r, ctx) => renderCobertura(r, ctx.toolVersion, ctx.sourceRoot) },
};
