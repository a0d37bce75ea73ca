// "Did you mean": the known name closest to a misspelt one, so a typo gets a fix and not
// only a refusal.

/** The known name within `maxEdits` edits of `wanted` (the closest; ties keep the given order). */
export function closestName(wanted: string, known: readonly string[], maxEdits = 2): string | undefined {
  let best: { name: string; edits: number } | undefined;
  for (const name of known) {
    const edits = editDistance(name.toLowerCase(), wanted.toLowerCase());
    if (edits <= maxEdits && (best === undefined || edits < best.edits)) best = { name, edits };
  }
  return best?.name;
}

/** ` (did you mean "topic"?)`, or '' when nothing known is close. */
export function didYouMean(wanted: string, known: readonly string[]): string {
  const close = closestName(wanted, known);
  return close === undefined ? '' : ` (did you mean "${close}"?)`;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
