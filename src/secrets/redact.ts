// Keeping secrets out of everything herd writes or prints: values of variables named like
// secrets (*_API_KEY, *_TOKEN, *_SECRET, *PASSWORD*, Authorization) and key-shaped strings.

const SECRET_NAME = /(API_KEY|TOKEN|SECRET|PASSWORD|AUTHORIZATION|CREDENTIALS?)$/i;
const KEY_SHAPES = [/sk-ant-[A-Za-z0-9_-]{8,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g];
export const REDACTED = '[redacted]';
/** Shorter values are too likely to appear by chance ("1", "true"). */
const MIN_SECRET_LENGTH = 6;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export type Redactor = (text: string) => string;

/** A function that removes the secret values found in the given environments from text. */
export function createRedactor(...envs: Array<Record<string, string | undefined> | undefined>): Redactor {
  const secrets = new Set<string>();
  for (const env of envs) {
    for (const [name, value] of Object.entries(env ?? {})) {
      if (value && value.length >= MIN_SECRET_LENGTH && isSecretName(name)) secrets.add(value);
    }
  }
  // Longest first and one at a time, so a secret that contains or overlaps another is removed
  // whole; then the key shapes, in one pass (a shape matched first could eat the start of a
  // secret, "Bearer <secret>", and leave its rest in clear).
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  const shapes = new RegExp(KEY_SHAPES.map((shape) => shape.source).join('|'), 'g');
  return (text: string) => {
    let out = text;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.replace(shapes, REDACTED);
  };
}

/** A copy of an env map with secret-named values replaced, for storing task definitions. */
export function redactEnvMap(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, isSecretName(name) ? REDACTED : value]));
}

/** A copy of a JSON value with `redact` applied to every string in it (keys included). */
export function redactJson(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact)]));
  }
  return value;
}
