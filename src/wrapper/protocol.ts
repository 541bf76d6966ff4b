// The warm server's wire format, shared with the native launcher (src/launcher/spincheck-cc.c): framed lists of byte strings.
//
// A frame is a little-endian u32 length of what follows, one type byte, then fields, each a u32 length and its bytes.
// Launcher to server: Q (request: version, cwd, invoked-as, stderr-is-a-tty, argc, argv..., env...), D (a run
// finished: "status"|"signal"|"error", value, captured stdout, captured stderr), I (interrupted by a signal: stop
// and clean up, then answer X). Server to launcher: R (run: file,
// argv0, cwd, capture flags "o"/"e", argc, args..., env...), O and E (bytes for stdout/stderr), X (exit: "status"|
// "signal", value), F (run the Node wrapper yourself).

export const PROTOCOL_VERSION = '1';

export type FrameType = 'Q' | 'D' | 'I' | 'R' | 'O' | 'E' | 'X' | 'F';

export interface Frame {
  type: FrameType;
  fields: Buffer[];
}

/** One frame as bytes. */
export function encodeFrame(type: FrameType, fields: readonly (string | Uint8Array)[]): Buffer {
  const parts = fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  const size = 1 + parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = Buffer.allocUnsafe(4 + size);
  out.writeUInt32LE(size, 0);
  out.write(type, 4, 'latin1');
  let at = 5;
  for (const p of parts) {
    out.writeUInt32LE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** Largest frame accepted: a compile's arguments and environment, or one captured output. */
const MAX_FRAME = 256 * 1024 * 1024;

/** Splits a byte stream into frames; throws on a malformed one. Chunks are joined once a frame is complete. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.size < 4) break;
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.joined();
      const length = head.readUInt32LE(0);
      if (length < 1 || length > MAX_FRAME) throw new Error(`bad frame length ${length}`);
      if (this.size < 4 + length) break;
      const all = this.joined();
      frames.push(decodeBody(all.subarray(4, 4 + length)));
      const rest = all.subarray(4 + length);
      this.chunks = rest.length ? [rest] : [];
      this.size = rest.length;
    }
    return frames;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
}

function decodeBody(body: Buffer): Frame {
  const type = String.fromCharCode(body[0]!) as FrameType;
  const fields: Buffer[] = [];
  let at = 1;
  while (at < body.length) {
    if (at + 4 > body.length) throw new Error('truncated field length');
    const n = body.readUInt32LE(at);
    if (at + 4 + n > body.length) throw new Error('truncated field');
    fields.push(body.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return { type, fields };
}

/** The request that opens a connection. */
export interface Request {
  cwd: string;
  invokedAs: string;
  stderrIsTTY: boolean;
  argv: string[];
  env: NodeJS.ProcessEnv;
}

/** Reads a Q frame; throws if it is not one this server speaks. */
export function decodeRequest(frame: Frame): Request {
  const f = frame.fields.map((b) => b.toString());
  if (frame.type !== 'Q' || f[0] !== PROTOCOL_VERSION || f.length < 5) throw new Error('not a version 1 request');
  const argc = Number.parseInt(f[4]!, 10);
  if (!(argc >= 0) || 5 + argc > f.length) throw new Error('bad argument count');
  const env: NodeJS.ProcessEnv = {};
  for (const entry of f.slice(5 + argc)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { cwd: f[1]!, invokedAs: f[2]!, stderrIsTTY: f[3] === '1', argv: f.slice(5, 5 + argc), env };
}

/** Environment entries `K=V` for a run frame (undefined values dropped, as spawn does). */
export function envEntries(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}
