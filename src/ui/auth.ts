// Who may talk to `herd ui`: a request must carry the server's random token (in the URL on the
// first visit, then an HttpOnly cookie; or an Authorization: Bearer header for scripts), name
// this server in its Host header (a DNS-rebinding page cannot), and, for anything that acts,
// come from this server's own origin.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'herd_ui';

export interface AuthConfig {
  token: string;
  /**
   * host:port strings a browser may use for this server (e.g. 127.0.0.1:4173, localhost:4173);
   * 'any' when bound to every interface (the token alone guards it then).
   */
  allowedHosts: ReadonlySet<string> | 'any';
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function tokenOf(request: IncomingMessage, url: URL): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  return bearer ?? readCookie(request, TOKEN_COOKIE) ?? url.searchParams.get('token') ?? undefined;
}

export function hostAllowed(request: IncomingMessage, config: AuthConfig): boolean {
  const host = request.headers.host;
  return host !== undefined && (config.allowedHosts === 'any' || config.allowedHosts.has(host.toLowerCase()));
}

/** Actions (POST) only from a page this server served: the browser's Origin must name it. */
export function sameOrigin(request: IncomingMessage, config: AuthConfig): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    const { protocol, host } = new URL(origin);
    if (protocol !== 'http:') return false;
    // Bound everywhere: the page's origin must at least be the host the request was sent to.
    if (config.allowedHosts === 'any') return host.toLowerCase() === request.headers.host?.toLowerCase();
    return config.allowedHosts.has(host.toLowerCase());
  } catch {
    return false;
  }
}

export function allowedHostsFor(host: string, port: number): Set<string> | 'any' {
  if (host === '0.0.0.0' || host === '::') return 'any';
  const names = new Set([host, '127.0.0.1', 'localhost']);
  const hosts = new Set<string>();
  for (const name of names) hosts.add(`${name.includes(':') ? `[${name}]` : name}:${port}`.toLowerCase());
  return hosts;
}

export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** No inline script, no framing, nothing from elsewhere. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/** The HTML report has an inline style sheet and no script at all. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
