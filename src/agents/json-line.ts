// One line of an agent CLI's JSONL stream as an object, or undefined for anything else (a
// stray log line, half a line, a bare value): adapters count those as garbage, never throw.

export function parseJsonObjectLine<T extends object>(line: string): T | undefined {
  // Only a line that starts like an object is worth JSON.parse (most stray lines are text).
  if (line.charCodeAt(0) !== 0x7b /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
