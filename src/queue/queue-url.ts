// The address of a herd queue: a redis:// or rediss:// URL, the password in it or in
// HERD_REDIS_URL, never printed or recorded (only `display` is). No Redis client here: the
// CLI checks the flag without loading one.

import { UsageError } from '../errors.js';

export const QUEUE_URL_VARIABLE = 'HERD_REDIS_URL';

export interface QueueUrl {
  /** The URL as given, password included: only for connecting. */
  url: string;
  /** The same without user name and password, for messages. */
  display: string;
}

/** `--queue <url>`, or HERD_REDIS_URL when the flag has no value. */
export function resolveQueueUrl(flag: string | true | undefined, env: NodeJS.ProcessEnv = process.env): QueueUrl | undefined {
  if (flag === undefined) return undefined;
  const given = flag === true ? env[QUEUE_URL_VARIABLE] : flag;
  if (!given) throw new UsageError(`--queue: give the Redis URL (redis://host:port[/db]) or set ${QUEUE_URL_VARIABLE}`);
  return parseQueueUrl(given);
}

export function parseQueueUrl(text: string): QueueUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--queue: expected a URL like redis://host:6379/0 or rediss://host:6380, got ${JSON.stringify(withoutPassword(text))}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--queue: expected a redis:// or rediss:// URL, got ${url.protocol}//${url.host}`);
  }
  if (!url.hostname) throw new UsageError('--queue: the URL names no host (redis://host:port[/db])');
  // The Redis client decodes user name and password; a stray "%" would crash it later with a stack.
  for (const part of [url.username, url.password]) {
    try {
      decodeURIComponent(part);
    } catch {
      throw new UsageError('--queue: the user name or password in the URL is not valid percent-encoding (write a literal % as %25)');
    }
  }
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new UsageError(`--queue: the database must be a number such as /0, got /${db}`);
  return { url: text, display: `${url.protocol}//${url.host}/${db || '0'}` };
}

/** Masks what looks like a password in text that did not even parse as a URL. */
function withoutPassword(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}
