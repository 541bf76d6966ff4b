// The wrapper's one error type; caught only at the CLI edge and printed as one `spincheck:` line.
export class WrapperError extends Error {
  override readonly name = 'WrapperError';

  /** Exit status: 1, or 127 when the real compiler is not found (as a shell reports it). */
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
  }
}
