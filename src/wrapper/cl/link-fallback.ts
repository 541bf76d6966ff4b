// The COFF link fallback (M14/M15): no-op stand-ins for the hooks, reached through /alternatename, so a link that
// does not pull the runtime library (/NODEFAULTLIB, or no library could be built) still succeeds. The linker uses an
// alternate name only for a symbol nothing else defines: when the runtime library is linked its definitions win.

/** The hooks the prelude declares, with the stand-in's parameter list and body. */
const HOOKS: ReadonlyArray<[name: string, signature: string, body: string]> = [
  ['spincheck_acquire_pre', 'void *%(struct spincheck_tu *tu, unsigned site, void *irql_ptr)', '(void)tu; (void)site; return irql_ptr;'],
  ['spincheck_acquire_post', 'void %(struct spincheck_tu *tu, unsigned site)', '(void)tu; (void)site;'],
  ['spincheck_release_pre', 'unsigned char %(struct spincheck_tu *tu, unsigned site, unsigned irql)', '(void)tu; (void)site; return (unsigned char)irql;'],
  [
    'spincheck_enter',
    'int %(struct spincheck_frame *frame, struct spincheck_tu *tu, unsigned entry_site, unsigned other_exit_site, int role, spincheck_fn fn, int irql)',
    '(void)frame; (void)tu; (void)entry_site; (void)other_exit_site; (void)role; (void)fn; (void)irql; return 0;',
  ],
  ['spincheck_leave', 'void %(struct spincheck_frame *frame)', '(void)frame;'],
  ['spincheck_register', 'spincheck_fn %(struct spincheck_tu *tu, unsigned site, int role, spincheck_fn fn)', '(void)tu; (void)site; (void)role; return fn;'],
  ['spincheck_spin_acquire_pre', 'void *%(struct spincheck_tu *tu, unsigned site, int flags, void *lock)', '(void)tu; (void)site; (void)flags; return lock;'],
  ['spincheck_spin_acquire_pre_n', 'unsigned long %(struct spincheck_tu *tu, unsigned site, int flags, unsigned long lock)', '(void)tu; (void)site; (void)flags; return lock;'],
  ['spincheck_spin_irql_out', 'void *%(struct spincheck_tu *tu, unsigned site, void *irql_ptr)', '(void)tu; (void)site; return irql_ptr;'],
  ['spincheck_spin_handle', 'void *%(struct spincheck_tu *tu, unsigned site, void *handle)', '(void)tu; (void)site; return handle;'],
  [
    'spincheck_spin_acquire_args',
    'void *%(struct spincheck_tu *tu, unsigned site, int flags, void *lock, void *irql_ptr)',
    '(void)tu; (void)site; (void)flags; (void)irql_ptr; return lock;',
  ],
  ['spincheck_spin_acquire_check', 'void *%(struct spincheck_tu *tu, unsigned site, int flags, void *lock)', '(void)tu; (void)site; (void)flags; return lock;'],
  ['spincheck_spin_acquire_post', 'void %(struct spincheck_tu *tu, unsigned site)', '(void)tu; (void)site;'],
  [
    'spincheck_spin_acquire_post_key',
    'void %(struct spincheck_tu *tu, unsigned site, int flags, void *lock, void *irql_ptr)',
    '(void)tu; (void)site; (void)flags; (void)lock; (void)irql_ptr;',
  ],
  ['spincheck_spin_acquire_value', 'unsigned long %(struct spincheck_tu *tu, unsigned site, int what, unsigned long value)', '(void)tu; (void)site; (void)what; return value;'],
  ['spincheck_spin_release_pre', 'void *%(struct spincheck_tu *tu, unsigned site, int parts, void *lock)', '(void)tu; (void)site; (void)parts; return lock;'],
  ['spincheck_spin_release_pre_n', 'unsigned long %(struct spincheck_tu *tu, unsigned site, int parts, unsigned long lock)', '(void)tu; (void)site; (void)parts; return lock;'],
  ['spincheck_spin_release_irql', 'unsigned long %(struct spincheck_tu *tu, unsigned site, unsigned long irql)', '(void)tu; (void)site; return irql;'],
  ['spincheck_spin_release_handle', 'void *%(struct spincheck_tu *tu, unsigned site, void *handle)', '(void)tu; (void)site; return handle;'],
  ['spincheck_spin_release_args', 'void *%(struct spincheck_tu *tu, unsigned site, void *lock, unsigned long irql)', '(void)tu; (void)site; (void)irql; return lock;'],
  ['spincheck_spin_init', 'void *%(struct spincheck_tu *tu, void *lock)', '(void)tu; return lock;'],
];

const stub = (name: string): string => name.replace(/^spincheck_/, 'spincheck_stub_');

/**
 * C text appended to an instrumented copy for cl. The stand-ins are `__inline` (cl and clang-cl emit referenced
 * inline functions of C as pick-any COMDATs, so every object may carry them), referenced from a `selectany` table
 * so they are emitted; x86 names carry cdecl's leading underscore.
 */
export function linkFallbackText(): string {
  const defs = HOOKS.map(([name, sig, body]) => `__inline ${sig.replace('%', stub(name))} { ${body} }`);
  const refs = HOOKS.map(([name]) => `(spincheck_fn)${stub(name)}`).join(', ');
  const alt = (prefix: string): string[] =>
    HOOKS.map(([name]) => `#pragma comment(linker, "/alternatename:${prefix}${name}=${prefix}${stub(name)}")`);
  return [
    '',
    '/* spincheck: no-op stand-ins used by the linker only when the spincheck runtime library is not linked. */',
    '#if defined(_WIN32) && !defined(SPINCHECK_RUNTIME)',
    ...defs,
    `__declspec(selectany) const spincheck_fn spincheck_stub_refs_[${HOOKS.length}] = {${refs}};`,
    '#if defined(_M_IX86)',
    ...alt('_'),
    '#else',
    ...alt(''),
    '#endif',
    '#endif',
    '',
  ].join('\n');
}
