import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config.js';

/**
 * The one Redis connection for BullMQ queues and workers. BullMQ needs a connection that retries
 * forever (`maxRetriesPerRequest: null`); the request path's RedisService fails fast instead.
 * Closed after the modules that use it (the platform module is destroyed last).
 */
@Injectable()
export class QueueConnection implements OnModuleDestroy {
  readonly options: { connection: Redis; prefix: string };

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    this.options = { connection, prefix: 'kyc' };
  }

  onModuleDestroy(): void {
    this.options.connection.disconnect();
  }
}
