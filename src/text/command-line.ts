// A command given as one string (`--check "npm test"`) into argv words, the way a shell
// splits words (single and double quotes, backslash escapes) but with nothing else a shell
// does: no variables, globs, pipes or `&&`. herd runs it without a shell; for those, the user
// writes `sh -c '...'` and so says a shell is wanted.

/** The words of `line`, or an error message (unclosed quote, empty command). */
export function splitCommandLine(line: string): string[] | { error: string } {
  const words: string[] = [];
  // undefined between words; '' once a word has begun (an empty "" is a word too).
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index]!;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word = `${word ?? ''}${char}`;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (line[index + 1] === '"' || line[index + 1] === '\\')) word = `${word ?? ''}${line[++index]!}`;
      else word = `${word ?? ''}${char}`;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\' && index + 1 < line.length) {
      word = (word ?? '') + line[++index];
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (quote !== undefined) return { error: `unclosed ${quote === '"' ? 'double' : 'single'} quote in ${JSON.stringify(line)}` };
  if (word !== undefined) words.push(word);
  if (words.length === 0) return { error: 'the command is empty' };
  return words;
}

/** Words that ask for a shell: a command using them needs `sh -c '...'` to mean what it says. */
export const SHELL_OPERATORS = new Set(['&&', '||', '|', ';', '>', '>>', '<', '&']);
