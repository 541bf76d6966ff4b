// The report stage's one error type: a one-line message naming the file at fault.
export class ReportError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}
