// The address a module file expects to load at (ELF: its first segment's page; PE: ImageBase): run data hold
// offsets from the load base, symbolizers want the file's own addresses.
import { closeSync, openSync, readSync } from 'node:fs';

const HEAD = 4096;
const PAGE = 4096n;

function elfBase(b: Buffer): bigint | null {
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => BigInt(le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (o: number) => (le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const phoff = Number(is64 ? u64(32) : u32(28));
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  let lowest: bigint | null = null;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + phentsize > b.length) return null;
    if (u32(o) !== 1n) continue; // PT_LOAD
    const vaddr = is64 ? u64(o + 16) : u32(o + 8);
    if (lowest === null || vaddr < lowest) lowest = vaddr;
  }
  return lowest === null ? null : lowest - (lowest % PAGE);
}

function peBase(b: Buffer): bigint | null {
  const pe = b.readUInt32LE(0x3c);
  if (pe + 24 + 32 > b.length || b.toString('latin1', pe, pe + 4) !== 'PE\0\0') return null;
  const opt = pe + 24;
  const magic = b.readUInt16LE(opt);
  if (magic === 0x20b) return b.readBigUInt64LE(opt + 24);
  if (magic === 0x10b) return BigInt(b.readUInt32LE(opt + 28));
  return null;
}

/** The preferred load address of an ELF or PE file, or null when it is neither or cannot be read. */
export function imageBase(file: string): bigint | null {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const b = Buffer.alloc(HEAD);
    const n = readSync(fd, b, 0, HEAD, 0);
    const head = b.subarray(0, n);
    if (n >= 64 && head.toString('latin1', 0, 4) === '\x7fELF') return elfBase(head);
    if (n >= 64 && head.toString('latin1', 0, 2) === 'MZ') return peBase(head);
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
