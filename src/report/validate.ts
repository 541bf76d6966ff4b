// Shape checks for data read from files: every field a report uses, typed, bounded; failures say which field.
import { SITE_KINDS, VIOLATION_KINDS } from '../model/index.js';

export class Invalid extends Error {}

export type Json = unknown;

export function obj(v: Json, what: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(`${what} is not an object`);
  return v as Record<string, Json>;
}

export function str(v: Json, what: string, max = 4096): string {
  if (typeof v !== 'string' || v.length > max) throw new Invalid(`${what} is not a string`);
  return v;
}

export function optStr(v: Json, what: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, what);
}

/** A non-negative safe integer (counts, lines, indices). */
export function count(v: Json, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Invalid(`${what} is not a count`);
  return v;
}

export function int(v: Json, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Invalid(`${what} is not an integer`);
  return v;
}

export function arr(v: Json, what: string, max = 1_000_000): Json[] {
  if (!Array.isArray(v) || v.length > max) throw new Invalid(`${what} is not a list`);
  return v;
}

export function oneOf<T extends string>(v: Json, allowed: readonly T[], what: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new Invalid(`${what} is not known`);
  return v as T;
}

export const violationKind = (v: Json, what: string) => oneOf(v, VIOLATION_KINDS, what);
export const siteKind = (v: Json, what: string) => oneOf(v, SITE_KINDS, what);
