// `spincheck kit --path`: where the installed harness kit is, for builds that include it in place.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, flag, parseArgs } from './args.js';
import type { CliEnv } from './report.js';

/** templates/harness-kit of this installation (dist/bin, or its chunks directory, is two or three levels down). */
export function kitDir(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 4; dir = dirname(dir), i++) {
    const kit = join(dir, 'templates', 'harness-kit');
    if (existsSync(join(kit, 'wdm_user.h'))) return kit;
  }
  return null;
}

export function kitCommand(io: CliEnv): number {
  const args = parseArgs(io.argv, { path: {} });
  if (!flag(args, 'path') || args.positional.length > 0) throw new UsageError('usage: spincheck kit --path');
  const kit = kitDir();
  if (!kit) {
    io.stderr('spincheck: templates/harness-kit is missing from this installation; reinstall spincheck\n');
    return 1;
  }
  io.stdout(`${kit}\n`);
  return 0;
}
