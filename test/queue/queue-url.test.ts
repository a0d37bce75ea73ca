// The queue's address: what is accepted, what a message shows of it (never the password), and
// HERD_REDIS_URL for a bare --queue.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { bullPriority, jobKey } from '../../src/queue/protocol.js';
import { parseQueueUrl, resolveQueueUrl } from '../../src/queue/queue-url.js';

describe('queue URLs', () => {
  it('shows host, port and database, never the user or password', () => {
    expect(parseQueueUrl('redis://:s3cret-pass@cache.internal:6380/2')).toEqual({
      url: 'redis://:s3cret-pass@cache.internal:6380/2',
      display: 'redis://cache.internal:6380/2',
    });
    expect(parseQueueUrl('rediss://herd:s3cret-pass@cache.internal').display).toBe('rediss://cache.internal/0');
  });

  it('rejects what is not a Redis URL, without echoing a password', () => {
    for (const bad of ['http://host:6379', 'redis://host:6379/abc', 'not a url', 'redis://']) expect(() => parseQueueUrl(bad)).toThrow(UsageError);
    expect(() => parseQueueUrl('//user:s3cret-pass@ host')).toThrow(/\*\*\*@/);
    try {
      parseQueueUrl('//user:s3cret-pass@ host');
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret-pass');
    }
  });

  it('refuses a password with a stray % (the Redis client would crash decoding it), without echoing it', () => {
    expect(() => parseQueueUrl('redis://:secret%pw@127.0.0.1:1')).toThrow(UsageError);
    expect(() => parseQueueUrl('redis://:secret%pw@127.0.0.1:1')).toThrow(/percent-encoding/);
    expect(() => parseQueueUrl('redis://:secret%pw@127.0.0.1:1')).not.toThrow(/secret/);
    expect(parseQueueUrl('redis://:secret%25pw@127.0.0.1:1').display).toBe('redis://127.0.0.1:1/0');
  });

  it('takes HERD_REDIS_URL when --queue has no value, and asks for one when neither is there', () => {
    expect(resolveQueueUrl(true, { HERD_REDIS_URL: 'redis://:pw-123456@10.0.0.5:6379' })?.display).toBe('redis://10.0.0.5:6379/0');
    expect(resolveQueueUrl(undefined, { HERD_REDIS_URL: 'redis://10.0.0.5:6379' })).toBeUndefined();
    expect(() => resolveQueueUrl(true, {})).toThrow(/set HERD_REDIS_URL/);
  });
});

describe('queue protocol', () => {
  it('keys one attempt of one agent turn unambiguously', () => {
    expect(jobKey('20261201-101010-abcd', 'agent-1', 2, 3)).toBe('20261201-101010-abcd/agent-1/2/3');
  });

  it("keeps herd's priority order in BullMQ's (lower number first, every job prioritized)", () => {
    expect(bullPriority(5)).toBeLessThan(bullPriority(undefined));
    expect(bullPriority(undefined)).toBeLessThan(bullPriority(-5));
    expect(bullPriority(1e9)).toBe(1);
  });
});
