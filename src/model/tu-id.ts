// Translation-unit ids and source hashes: the one place that defines how they are computed.
import { createHash } from 'node:crypto';

/** sha1 of bytes, 40 hex digits (SiteDatabase.sourceHash). */
export function sha1(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** TU id: sha1 of the absolute source path (UTF-8), a NUL byte, then the source bytes; first 16 hex digits. */
export function tuId(absPath: string, bytes: Uint8Array): string {
  return createHash('sha1').update(absPath, 'utf8').update(new Uint8Array([0])).update(bytes).digest('hex').slice(0, 16);
}
