// The instrumenter's one error type: a file it must not (strict mode) or cannot rewrite.
export class InstrumentError extends Error {}
