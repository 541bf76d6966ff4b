// Type of the C text assets bundled as strings (.scm queries, .h prelude).
declare module '*.scm' {
  const text: string;
  export default text;
}
declare module '*.h' {
  const text: string;
  export default text;
}
