// Lock names: two spellings of one place compare equal; a callee's parameter becomes the caller's argument.
import { describe, expect, it } from 'vitest';
import { mentions, nameable, placeKey, rootName, substituteRoot } from '../../src/analysis/keys.js';

describe('lock keys', () => {
  it.each([
    ['&ext->Lock', 'ext->Lock'],
    ['&(ext->Lock)', 'ext->Lock'],
    ['(PKSPIN_LOCK)&ext->Lock', 'ext->Lock'],
    ['( struct foo * ) & ext -> Lock', 'ext->Lock'],
    ['&(&dev->Ext)->Lock', 'dev->Ext.Lock'],
    ['&(*ext).Lock', 'ext->Lock'],
    ['&ext->Lock /* device */', 'ext->Lock'],
    ['lock', 'lock'],
  ])('%s names %s', (text, key) => expect(placeKey(text)).toBe(key));

  it('names a place only without calls (macros aside) or variable indices', () => {
    expect(nameable('ext->Locks[2]')).toBe(true);
    expect(nameable('ext->Locks[i]')).toBe(false);
    expect(nameable('GetLock(ext)')).toBe(false);
    expect(nameable('DEV_EXT(dev)->Lock')).toBe(true);
    expect(rootName('DEV_EXT(dev)->Lock')).toBe('dev');
  });

  it("puts the caller's argument in place of the callee's parameter", () => {
    expect(substituteRoot('ext->Lock', 'ext', 'devExt')).toBe('devExt->Lock');
    expect(substituteRoot('ext->Lock', 'ext', '&dev->Ext')).toBe('dev->Ext.Lock');
    expect(substituteRoot('lock', 'lock', '&ext->Lock')).toBe('ext->Lock');
    expect(substituteRoot('DEV_EXT(d)->Lock', 'd', 'Device')).toBe('DEV_EXT(Device)->Lock');
  });

  it('knows which writes change what a key names', () => {
    expect(mentions('ext->busy', 'ext')).toBe(true);
    expect(mentions('ext->busy', 'ext->busy')).toBe(true);
    expect(mentions('other->busy', 'busy')).toBe(false);
    expect(mentions('extra', 'ext')).toBe(false);
  });
});
