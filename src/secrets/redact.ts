// Keeping secrets out of everything herd writes or prints. By value: the values of variables
// whose names look secret (inherited, --env, a task's env), in each form herd may write them:
// as is, JSON-escaped (once, or twice for JSON inside a JSON string) and URL-encoded. By
// shape: Anthropic keys, Bearer and Basic credentials, passwords in URLs. A tail cut from a
// longer text (stderr, stdout) first loses any leading piece of a secret and its partial
// first line: a secret cut in two is no longer found by its value.

export const REDACTED = '[redacted]';
/** Shorter values are too likely to appear by chance ("1", "true"). */
const MIN_SECRET_LENGTH = 6;

/** A word of a variable's name that makes it secret: *KEY, *TOKEN, *SECRET, *PASSWORD, ... (API_KEY, GITHUB_TOKEN, PGPASSWORD). */
const SECRET_WORD = /(?:KEYS?|TOKENS?|SECRETS?|PASSWORDS?|PASSWD|PASSPHRASE|CREDENTIALS?|COOKIES?)$/;
/** Whole words that make a name secret (NPM_AUTH, HTTP_AUTHORIZATION, DB_PASS, GITHUB_PAT); not AUTHOR or XAUTHORITY. */
const SECRET_WORDS = new Set(['AUTH', 'AUTHN', 'AUTHZ', 'AUTHORIZATION', 'AUTHTOKEN', 'PASS', 'PAT']);
/** A name ending so holds where the secret is, not the secret (SSH_AUTH_SOCK, GIT_TOKEN_FILE, KEY_PATH). */
const NOT_A_SECRET = new Set(['FILE', 'PATH', 'DIR', 'HOME', 'SOCK', 'SOCKET', 'URL', 'URI', 'HOST', 'PORT', 'NAME', 'USER', 'USERNAME']);

export function isSecretName(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  if (words.length === 0 || NOT_A_SECRET.has(words.at(-1)!)) return false;
  return words.some((word) => SECRET_WORD.test(word) || SECRET_WORDS.has(word));
}

/** Removes secrets from text. */
export type Redactor = (text: string) => string;

/** A Redactor that also knows how to clean a tail cut from a longer text, and JSON text. */
export interface SecretRedactor extends Redactor {
  /** For the end of a longer text, cut anywhere: also drops a leading piece of a secret and the partial first line. */
  tail: (text: string) => string;
  /** For JSON text (run.json, an event line): secrets removed from every string in it; the JSON stays valid. */
  json: (text: string) => string;
}

const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);

/** The forms a secret takes in what herd writes: as is, JSON-escaped once and twice, URL-encoded. */
function formsOf(secret: string): string[] {
  const once = jsonEscape(secret);
  const url = encodeURIComponent(secret);
  return [secret, once, jsonEscape(once), url, url.replace(/%20/g, '+')];
}

/**
 * Key shapes, found in any text whatever its source; the user of a URL's credentials is kept.
 * Basic credentials count only when they decode to "user:password" (English has "Basic
 * knowledge"). Every branch starts with a literal, so a scan of a large record stays fast.
 */
const SHAPES = /sk-ant-[A-Za-z0-9_-]{8,}|\bBearer\s+[A-Za-z0-9._~+/=-]{8,}|\bBasic\s+([A-Za-z0-9+/]{8,}={0,2})|:\/\/([^\s/:@"\\]+):[^\s/@"\\]+@/g;

function replaceShapes(text: string): string {
  return text.replace(SHAPES, (match: string, basic: string | undefined, urlUser: string | undefined) => {
    if (urlUser !== undefined) return `://${urlUser}:${REDACTED}@`;
    if (basic !== undefined && !Buffer.from(basic, 'base64').toString('latin1').includes(':')) return match;
    return REDACTED;
  });
}

/** A JSON string literal in JSON text. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** A function that removes the secret values found in the given environments (and key shapes) from text. */
export function createRedactor(...envs: Array<Record<string, string | undefined> | undefined>): SecretRedactor {
  const secrets = new Set<string>();
  for (const env of envs) {
    for (const [name, value] of Object.entries(env ?? {})) {
      if (value && value.length >= MIN_SECRET_LENGTH && isSecretName(name)) secrets.add(value);
    }
  }
  // Longest first and one at a time, so a secret that contains or overlaps another is removed
  // whole; then the key shapes, in one pass (a shape matched first could eat the start of a
  // secret, "Bearer <secret>", and leave its rest in clear).
  const forms = [...new Set([...secrets].flatMap(formsOf))].filter((form) => form.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  // How the forms look inside JSON text: a quick test before any string is decoded.
  const formsInJson = [...new Set(forms.flatMap((form) => [form, jsonEscape(form)]))];

  const redact = ((text: string) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return replaceShapes(out);
  }) as SecretRedactor;

  redact.tail = (text: string) => {
    const rest = text.slice(leadingSecretPiece(text, forms));
    // What is left of a key cut in two has no shape to be found by: the partial first line
    // goes (or the partial first word of a text that is one line).
    const newline = rest.indexOf('\n');
    return redact(newline === -1 ? rest.replace(/^\S*\s*/, '') : rest.slice(newline + 1));
  };

  redact.json = (text: string) => {
    SHAPES.lastIndex = 0;
    if (!formsInJson.some((form) => text.includes(form)) && !SHAPES.test(text)) return text;
    return text.replace(JSON_STRING, (literal) => {
      const value = JSON.parse(literal) as string;
      const clean = redact(value);
      return clean === value ? literal : JSON.stringify(clean);
    });
  };
  return redact;
}

/** How many characters at the start of `text` are the end of a secret (in any form): 0 if none. */
function leadingSecretPiece(text: string, forms: readonly string[]): number {
  let longest = 0;
  for (const form of forms) {
    // Only where the form holds text's first character can a piece of it start the text.
    for (let index = form.indexOf(text[0] ?? '', 1); index !== -1; index = form.indexOf(text[0]!, index + 1)) {
      const piece = form.length - index;
      if (piece > longest && text.startsWith(form.slice(index))) longest = piece;
    }
  }
  return longest;
}

/** A tail cut from a longer text, cleaned by `redact` (with its piece-of-a-secret rule when it has one). */
export function redactTail(redact: Redactor, text: string): string {
  return 'tail' in redact && typeof redact.tail === 'function' ? (redact as SecretRedactor).tail(text) : redact(text);
}

/** A copy of an env map with secret-named values replaced, for storing task definitions. */
export function redactEnvMap(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, isSecretName(name) ? REDACTED : value]));
}

/** A copy of a JSON value with `redact` applied to every string in it (keys included). */
export function redactJson<T>(value: T, redact: Redactor): T {
  return redactValue(value, redact) as T;
}

function redactValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactValue(item, redact)]));
  }
  return value;
}
