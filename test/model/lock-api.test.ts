// The spin-lock API table: sorted, one row a name, argument indices inside the arity, every lock taken has a release.
import { describe, expect, it } from 'vitest';
import { LOCK_FORM_BY_NAME, LOCK_FORMS } from '../../src/model/lock-api.js';

describe('LOCK_FORMS', () => {
  it('is sorted by name, without duplicates', () => {
    const names = LOCK_FORMS.map((f) => f.name);
    expect(names).toEqual([...new Set(names)].sort());
    expect(LOCK_FORM_BY_NAME.size).toBe(LOCK_FORMS.length);
  });

  it('names argument indices that exist', () => {
    for (const f of LOCK_FORMS) {
      for (const index of [f.lock, f.handle, f.irqlOut, f.irqlIn]) {
        if (index !== undefined) expect(index, f.name).toBeLessThan(f.arity);
      }
    }
  });

  it('names the lock on every form of a family that has per-instance locks, the handle on in-stack releases', () => {
    for (const f of LOCK_FORMS) {
      const systemWide = f.family === 'cancel' || f.family === 'vpb';
      if (systemWide) expect(f.lock, f.name).toBeUndefined();
      else if (f.family === 'in-stack' && f.op === 'release') expect([f.lock, f.handle], f.name).toEqual([undefined, 0]);
      else expect(f.lock, f.name).toBe(0);
    }
  });

  it('has a release for every way of acquiring, at the same level and mode', () => {
    const key = (f: (typeof LOCK_FORMS)[number]) => `${f.family}/${f.shared ? 'shared' : 'exclusive'}/${f.atDpc ? 'dpc' : 'raise'}`;
    const releases = new Set(LOCK_FORMS.filter((f) => f.op === 'release').map(key));
    for (const f of LOCK_FORMS.filter((f) => f.op === 'acquire' || f.op === 'try-acquire')) {
      expect(releases.has(key(f)) || releases.has(key({ ...f, atDpc: true })), f.name).toBe(true);
    }
  });

  it('saves an IRQL exactly where the release restores one', () => {
    for (const f of LOCK_FORMS) {
      const saves = f.irqlOut !== undefined || f.returnsIrql === true;
      if (f.op === 'acquire' && !f.atDpc && f.family !== 'in-stack') expect(saves, f.name).toBe(true);
      if (f.atDpc) expect([saves, f.irqlIn], f.name).toEqual([false, undefined]);
    }
  });
});
