// The table of report formats: name -> renderer and default file name.
import type { Report } from './merge.js';
import { renderJson } from './json.js';
import { renderText } from './text.js';

export interface RenderContext {
  color: boolean;
  sourceRoot: string;
}

export interface Format {
  file: string;
  render: (report: Report, ctx: RenderContext) => string;
}

export const FORMATS: Record<string, Format> = {
  text: { file: 'spincheck.txt', render: (r, ctx) => renderText(r, { color: ctx.color }) },
  json: { file: 'spincheck.json', render: (r) => renderJson(r) },
};
