import { Redis } from 'ioredis';
import type { BrokerConfig } from '../config/broker-config.js';

/**
 * A dedicated connection for subscriber mode (a subscribed connection can run no other command).
 * It reconnects forever; the caller resubscribes itself on every `ready` (autoResubscribe is off) so
 * it knows when messages flow again. Connected and closed by its owner (CacheInvalidation).
 */
export function newSubscriberConnection(config: BrokerConfig): Redis {
  const connection = new Redis(config.redisUrl, {
    lazyConnect: true,
    autoResubscribe: false,
    maxRetriesPerRequest: null,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  connection.on('error', () => undefined);
  return connection;
}
