// Loads tree-sitter-c once, on first use, and compiles the .scm queries.
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import callsQuery from './queries/calls.scm';
import declarationsQuery from './queries/declarations.scm';
import functionsQuery from './queries/functions.scm';
import macrosQuery from './queries/macros.scm';
import majorFunctionQuery from './queries/major-function.scm';
import namesQuery from './queries/names.scm';
import returnsQuery from './queries/returns.scm';

export type SyntaxNode = Parser.SyntaxNode;

export interface CParser {
  parse(text: string): Parser.Tree;
  queries: Record<QueryName, Parser.Query>;
}

const QUERY_TEXT = {
  calls: callsQuery,
  names: namesQuery,
  functions: functionsQuery,
  returns: returnsQuery,
  majorFunction: majorFunctionQuery,
  declarations: declarationsQuery,
  macros: macrosQuery,
};
export type QueryName = keyof typeof QUERY_TEXT;

let loaded: CParser | undefined;

/** The shared parser; tree-sitter is loaded here and nowhere else. */
export function cParser(): CParser {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const TreeSitter = require('tree-sitter') as typeof Parser;
  const language = require('tree-sitter-c') as Parser.Language;
  const parser = new TreeSitter();
  parser.setLanguage(language);
  const queries = Object.fromEntries(
    Object.entries(QUERY_TEXT).map(([name, text]) => [name, new TreeSitter.Query(language, text)]),
  ) as Record<QueryName, Parser.Query>;
  loaded = {
    parse: (text) => parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) }),
    queries,
  };
  return loaded;
}
