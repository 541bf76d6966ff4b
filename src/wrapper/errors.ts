// The wrapper's one error type; caught only at the CLI edge and printed as one `spincheck:` line.
export class WrapperError extends Error {
  override readonly name = 'WrapperError';
}
