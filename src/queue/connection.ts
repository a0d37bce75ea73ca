// Connections to the Redis behind a herd queue: they ride out a Redis restart (they reconnect
// and retry forever, as BullMQ requires) but fail fast, with a one-line reason that names the
// queue without its password, when Redis cannot be reached at start.

import { Redis, type RedisOptions } from 'ioredis';
import { HerdError } from '../errors.js';
import type { QueueUrl } from './queue-url.js';

export interface RedisConnectOptions {
  /** Shown to Redis (CLIENT LIST), to tell herd's connections apart. */
  name: string;
  /** Connect at once (for BullMQ, which expects a connection on its way); default: on first use or connectRedis. */
  eager?: boolean;
}

/** A connection that reconnects forever (Redis restarting is weather, not an error). */
export function openRedis(queue: QueueUrl, options: RedisConnectOptions): Redis {
  const redisOptions: RedisOptions = {
    // BullMQ's blocking commands must not fail after N retries; they wait for Redis to return.
    maxRetriesPerRequest: null,
    connectionName: options.name,
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    lazyConnect: options.eager !== true,
  };
  const redis = new Redis(queue.url, redisOptions);
  // Reconnection errors are expected while Redis restarts; the operations themselves wait.
  redis.on('error', () => undefined);
  return redis;
}

/** Connects and pings within `timeoutMs`, or throws one readable line (nothing is started without a queue). */
export async function connectRedis(redis: Redis, queue: QueueUrl, timeoutMs = 5_000): Promise<void> {
  let lastError: string | undefined;
  const onError = (error: Error) => {
    lastError = error.message;
  };
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(lastError ?? `no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const ready = (async () => {
      if (redis.status === 'wait') await redis.connect();
      await redis.ping();
    })();
    // The loser of the race must not surface later as an unhandled rejection.
    ready.catch(() => undefined);
    await Promise.race([ready, deadline]);
  } catch (error) {
    redis.disconnect();
    throw new HerdError(`cannot reach the queue at ${queue.display}: ${lastError ?? (error as Error).message}`);
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
}
