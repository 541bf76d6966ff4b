// Loads tree-sitter-c once, on first use, and compiles the .scm queries.
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import { callQuery, declarationQuery, fileQuery, nameQuery, statementQuery } from './name-query.js';
import callsQuery from './queries/calls.scm';
import declarationsQuery from './queries/declarations.scm';
import functionsQuery from './queries/functions.scm';
import includesQuery from './queries/includes.scm';
import macrosQuery from './queries/macros.scm';
import majorFunctionQuery from './queries/major-function.scm';
import namesQuery from './queries/names.scm';
import returnsQuery from './queries/returns.scm';
import { LOCK_FORMS } from '../model/lock-api.js';
import { ROLE_TYPES } from './role-types.js';

export type SyntaxNode = Parser.SyntaxNode;

/** What the instrumenter asks of a query. */
export interface CQuery {
  matches(node: SyntaxNode): Parser.QueryMatch[];
  captures(node: SyntaxNode): Parser.QueryCapture[];
}

export interface CParser {
  parse(text: string): Parser.Tree;
  queries: Record<QueryName, CQuery>;
}

/** A query with its `"@LOCK_API@"` placeholder replaced by every name of the lock-API table. */
export function withLockApi(query: string): string {
  return query.replaceAll('"@LOCK_API@"', LOCK_FORMS.map((f) => JSON.stringify(f.name)).join(' '));
}

/** A query with its `"@ROLE_TYPES@"` placeholder replaced by every role type name. */
export function withRoleTypes(query: string): string {
  return query.replaceAll('"@ROLE_TYPES@"', Object.keys(ROLE_TYPES).map((t) => JSON.stringify(t)).join(' '));
}

/**
 * Queries run over a whole file, compiled as one tree-sitter query and run once per root node; each is a view on
 * its own patterns. tree-sitter analyses every query against the whole grammar, so five queries compiled apart cost
 * about three times what one query holding their patterns costs, and each ran over the whole tree again.
 */

const FILE_QUERIES = {
  calls: withLockApi(callsQuery),
  functions: functionsQuery,
  majorFunction: majorFunctionQuery,
  includes: includesQuery,
  macros: macrosQuery,
};
/** Queries run on parts of a tree (`returns`, once per routine body), for captures or text-first: compiled on their own. */
const OWN_QUERIES = {
  declarations: withRoleTypes(declarationsQuery),
  names: withLockApi(namesQuery),
  returns: returnsQuery,
};
export type QueryName = keyof typeof FILE_QUERIES | keyof typeof OWN_QUERIES;
type FileQueryName = keyof typeof FILE_QUERIES;

/** The patterns of one file query inside the merged query: [first, end). */
type PatternRange = [number, number];

class MergedQueries {
  private lastNode: SyntaxNode | null = null;
  private lastMatches: Parser.QueryMatch[] = [];

  constructor(
    private readonly query: Parser.Query,
    readonly ranges: Partial<Record<FileQueryName, PatternRange>>,
  ) {}

  /** Every match of every pattern under `node`; the last node's are kept (the instrumenter asks for one root at a time). */
  all(node: SyntaxNode): Parser.QueryMatch[] {
    const last = this.lastNode;
    if (!last || last.tree !== node.tree || last.id !== node.id) {
      this.lastMatches = this.query.matches(node);
      this.lastNode = node;
    }
    return this.lastMatches;
  }

  view(name: FileQueryName): CQuery {
    const [first, end] = this.ranges[name] ?? [0, 0];
    const matches = (node: SyntaxNode): Parser.QueryMatch[] =>
      this.all(node)
        .filter((m) => m.pattern >= first && m.pattern < end)
        .map((m) => ({ ...m, pattern: m.pattern - first }));
    return {
      matches,
      // Captures in source order, as Query.captures gives them.
      captures: (node) =>
        matches(node)
          .flatMap((m) => m.captures)
          .map((c, i) => ({ c, i }))
          .sort((a, b) => a.c.node.startIndex - b.c.node.startIndex || a.i - b.i)
          .map(({ c }) => c),
    };
  }
}

/** Compiles the file queries as one; finds which patterns belong to which by their offsets in the merged text. */
function mergeQueries(TreeSitter: typeof Parser, language: Parser.Language, names: FileQueryName[]): MergedQueries {
  const starts: number[] = [];
  let text = '';
  for (const name of names) {
    starts.push(Buffer.byteLength(text));
    text += `${FILE_QUERIES[name]}\n`;
  }
  const query = new TreeSitter.Query(language, text);
  // node-tree-sitter keeps one predicate list per pattern (not in its type declarations).
  const count = (query as unknown as { predicates?: unknown[] }).predicates?.length ?? 0;
  const owner = Array.from({ length: count }, (_, p) => {
    const at = query.startIndexForPattern(p);
    let k = 0;
    while (k + 1 < starts.length && (starts[k + 1] as number) <= at) k++;
    return k;
  });
  const ranges = {} as Partial<Record<FileQueryName, PatternRange>>;
  names.forEach((name, k) => {
    const first = owner.indexOf(k);
    const end = owner.lastIndexOf(k) + 1;
    if (first < 0 || owner.slice(first, end).some((o) => o !== k)) throw new Error(`query ${name}: patterns not found in the merged query`);
    ranges[name] = [first, end];
  });
  return new MergedQueries(query, ranges);
}

let loaded: CParser | undefined;

/** The shared parser; tree-sitter is loaded here and nowhere else. */
export function cParser(): CParser {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const TreeSitter = require('tree-sitter') as typeof Parser;
  const language = require('tree-sitter-c') as Parser.Language;
  const parser = new TreeSitter();
  parser.setLanguage(language);
  // The file queries with a fast form (name-query.ts: from the text, or the tree's function list) stay out of the
  // merged one; while every one has it, no query walks the whole tree.
  const fast: Partial<Record<FileQueryName, CQuery>> = {};
  for (const name of Object.keys(FILE_QUERIES) as FileQueryName[]) {
    const q = name === 'calls' ? callQuery(FILE_QUERIES.calls) : fileQuery(FILE_QUERIES[name]);
    if (q) fast[name] = q;
  }
  const slow = (Object.keys(FILE_QUERIES) as FileQueryName[]).filter((n) => !fast[n]);
  const merged = slow.length > 0 ? mergeQueries(TreeSitter, language, slow) : null;
  const fileQueryOf = (name: FileQueryName): CQuery => fast[name] ?? (merged as MergedQueries).view(name);
  const queries: Record<QueryName, CQuery> = {
    calls: fileQueryOf('calls'),
    functions: fileQueryOf('functions'),
    majorFunction: fileQueryOf('majorFunction'),
    includes: fileQueryOf('includes'),
    declarations: declarationQuery(OWN_QUERIES.declarations) ?? new TreeSitter.Query(language, OWN_QUERIES.declarations),
    macros: fileQueryOf('macros'),
    names: nameQuery(OWN_QUERIES.names) ?? new TreeSitter.Query(language, OWN_QUERIES.names),
    returns: statementQuery(OWN_QUERIES.returns) ?? new TreeSitter.Query(language, OWN_QUERIES.returns),
  };
  loaded = {
    parse: (text) => parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) }),
    queries,
  };
  return loaded;
}
