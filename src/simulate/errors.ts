// Owns the Anthropic-style error answers. The claude CLI decides whether to retry from the
// error `type` in the body as well as the HTTP status, so each status must carry its real type.

import type { ServerResponse } from 'node:http';

/** The error type the real API uses for a status (unknown 4xx → invalid request, 5xx → api). */
export function errorTypeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Sends `{type:"error",error:{type,message}}`; a 429 also says when to retry. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 429) headers['retry-after'] = '1';
  res.writeHead(status, headers);
  res.end(JSON.stringify({ type: 'error', error: { type: errorTypeFor(status), message } }));
}
