import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config.js';

/**
 * The broker's Redis connection. Commands fail fast while Redis is down (no offline queue), so
 * callers fail closed with 503 instead of hanging; the client reconnects by itself.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnModuleDestroy {
  readonly client: Redis;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    this.client = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      // Commands issued in the same tick go out in one write: under load, one syscall for many requests.
      enableAutoPipelining: true,
    });
    // Connection errors surface on the commands that need Redis; the event only needs a listener.
    this.client.on('error', () => undefined);
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
