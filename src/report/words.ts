// Words for people: counted nouns ("1 process", "2 processes").
const IRREGULAR: Record<string, string> = { process: 'processes' };

/** `n word`, the word in the plural unless n is 1. */
export function plural(n: number, word: string): string {
  return `${n} ${n === 1 ? word : (IRREGULAR[word] ?? `${word}s`)}`;
}
