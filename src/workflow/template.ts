// Prompt templates: the `{{...}}` placeholders a workflow task may use, how they are read,
// and filling them in one pass (a value that itself contains `{{...}}` or `$&` is inserted
// as is, never expanded again). Only `{{ name }}` with letters, digits, `.`, `_`, `-`
// counts as a placeholder; other braces (`{{#each}}`, `{{ a b }}`) stay literal text.

export type DepField = 'result' | 'results' | 'winner' | 'winnerId';

export type Placeholder =
  | { kind: 'dep'; id: string; field: DepField }
  | { kind: 'var'; name: string }
  | { kind: 'item' }
  | { kind: 'index' }
  | { kind: 'shared' }
  | { kind: 'candidates' };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const DEP = /^deps\.(.+)\.(result|results|winner|winnerId)$/;
const VAR = /^vars\.([A-Za-z_][A-Za-z0-9_-]*)$/;

export const PLACEHOLDER_FORMS =
  '{{deps.<task>.result}}, {{deps.<task>.results}}, {{deps.<judge>.winner}}, {{deps.<judge>.winnerId}}, {{vars.<name>}}, {{item}}, {{index}}, {{shared}}, {{candidates}}';

/** A value a placeholder needs is not there (a dependency failed, a variable was not given). */
export class TemplateValueError extends Error {
  override readonly name = 'TemplateValueError';
}

/** Read one placeholder name (`deps.research.result`); undefined when it is not a known form. */
export function parsePlaceholder(name: string): Placeholder | undefined {
  const dep = DEP.exec(name);
  if (dep) return { kind: 'dep', id: dep[1]!, field: dep[2] as DepField };
  const variable = VAR.exec(name);
  if (variable) return { kind: 'var', name: variable[1]! };
  switch (name) {
    case 'item':
    case 'index':
    case 'shared':
    case 'candidates':
      return { kind: name };
    default:
      return undefined;
  }
}

/** Every placeholder in `text`, in order, as written (`{{ deps.a.result }}`) and by name. */
export function listPlaceholders(text: string): Array<{ raw: string; name: string }> {
  return [...text.matchAll(PLACEHOLDER)].map((match) => ({ raw: match[0], name: match[1]! }));
}

/**
 * Replace every placeholder by `valueOf(placeholder)`. `valueOf` throws TemplateValueError
 * for a missing value; an unknown placeholder form is an error too (checked earlier for
 * task files, so here it only guards library callers).
 */
export function fillTemplate(text: string, valueOf: (placeholder: Placeholder, raw: string) => string): string {
  return text.replace(PLACEHOLDER, (raw: string, name: string) => {
    const placeholder = parsePlaceholder(name);
    if (!placeholder) throw new TemplateValueError(`unknown placeholder ${raw}; use one of ${PLACEHOLDER_FORMS}`);
    return valueOf(placeholder, raw);
  });
}
