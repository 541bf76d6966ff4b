// The warm server's frames: round trips through any chunking, and malformed input is refused.
import { describe, expect, it, vi } from 'vitest';
import { FrameReader, PROTOCOL_VERSION, decodeRequest, encodeFrame, envEntries } from '../../src/wrapper/protocol.js';

describe('frames', () => {
  it('survive being split at every byte, with binary and empty fields', () => {
    const fields = ['status', '', Buffer.from([0, 255, 10, 0]), 'x'.repeat(70000)];
    const bytes = Buffer.concat([encodeFrame('D', fields), encodeFrame('X', ['signal', '15'])]);
    for (const step of [1, 3, 4096, bytes.length]) {
      const reader = new FrameReader();
      const frames = [];
      for (let at = 0; at < bytes.length; at += step) frames.push(...reader.push(bytes.subarray(at, at + step)));
      expect(frames.map((f) => f.type)).toEqual(['D', 'X']);
      expect(frames[0]!.fields.map((f) => Buffer.from(f).toString('hex'))).toEqual(fields.map((f) => Buffer.from(f).toString('hex')));
      expect(frames[1]!.fields.map(String)).toEqual(['signal', '15']);
    }
  });

  it('join the chunks of a large frame once, not at every chunk', () => {
    const big = encodeFrame('D', ['status', '1', '', Buffer.alloc(8 << 20, 120)]);
    const reader = new FrameReader();
    const concat = vi.spyOn(Buffer, 'concat');
    const frames = [];
    for (let at = 0; at < big.length; at += 65536) frames.push(...reader.push(big.subarray(at, at + 65536)));
    expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
    concat.mockRestore();
    expect(frames).toHaveLength(1);
    expect(frames[0]!.fields[3]!.length).toBe(8 << 20);
  });

  it('refuse a zero length, an oversized frame and a field running past its frame', () => {
    expect(() => new FrameReader().push(Buffer.from([0, 0, 0, 0]))).toThrow(/bad frame length/);
    expect(() => new FrameReader().push(Buffer.from([0, 0, 0, 0x7f, 0x51]))).toThrow(/bad frame length/);
    const bad = encodeFrame('Q', ['abc']);
    bad.writeUInt32LE(99, 5);
    expect(() => new FrameReader().push(bad)).toThrow(/truncated field/);
  });
});

describe('requests', () => {
  it('carry the compile: directory, invocation, tty, arguments and environment', () => {
    const env = { PATH: '/bin', EMPTY: '', 'WITH=EQ': undefined, X: 'a=b' };
    const frame = encodeFrame('Q', [PROTOCOL_VERSION, '/src', '/bin/gcc', '1', '2', '-c', 'a b.c', ...envEntries(env)]);
    const [decoded] = new FrameReader().push(frame);
    expect(decodeRequest(decoded!)).toEqual({
      cwd: '/src',
      invokedAs: '/bin/gcc',
      stderrIsTTY: true,
      argv: ['-c', 'a b.c'],
      env: { PATH: '/bin', EMPTY: '', X: 'a=b' },
    });
  });

  it('of another protocol version or with a wrong argument count are refused', () => {
    const other = new FrameReader().push(encodeFrame('Q', ['2', '/', '/x', '0', '0']))[0]!;
    expect(() => decodeRequest(other)).toThrow(/version 1/);
    const short = new FrameReader().push(encodeFrame('Q', [PROTOCOL_VERSION, '/', '/x', '0', '3', '-c']))[0]!;
    expect(() => decodeRequest(short)).toThrow(/argument count/);
  });
});
