import { Global, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { CacheInvalidation } from './cache/cache-invalidation.js';
import { BROKER_CONFIG, type BrokerConfig } from './config/broker-config.js';
import { Sealer } from './crypto/sealer.js';
import { ProblemFilter } from './errors/problem.filter.js';
import { JsonBodyMiddleware } from './http/json-body.middleware.js';
import { loggerParams } from './logging/logging.js';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware.js';
import { MetricsService } from './metrics/metrics.service.js';
import { LedgerPool, ReadPool } from './prisma/ledger-pool.js';
import { PrismaService } from './prisma/prisma.service.js';
import { QueueConnection } from './redis/queue-connection.js';
import { RedisService } from './redis/redis.js';
import { RedisThrottlerStorage } from './redis/throttler-storage.js';
import { newSubscriberConnection } from './redis/subscriber-connection.js';

/** Config, database, Redis (and the cache invalidation bus), sealing, logging, body parsing and the one problem filter. */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [LoggerModule.forRoot(loggerParams(config.logLevel, config.logFile))],
      providers: [
        { provide: BROKER_CONFIG, useValue: config },
        { provide: Sealer, useFactory: () => new Sealer(config.keys.tokenEncryptionKey, config.keys.tokenEncryptionPreviousKeys) },
        { provide: APP_FILTER, useClass: ProblemFilter },
        PrismaService,
        LedgerPool,
        ReadPool,
        RedisService,
        RedisThrottlerStorage,
        MetricsService,
        QueueConnection,
        {
          provide: CacheInvalidation,
          useFactory: (redis: RedisService) => new CacheInvalidation(redis.client, newSubscriberConnection(config)),
          inject: [RedisService],
        },
      ],
      exports: [BROKER_CONFIG, Sealer, PrismaService, LedgerPool, ReadPool, RedisService, RedisThrottlerStorage, MetricsService, QueueConnection, CacheInvalidation],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware, JsonBodyMiddleware).forRoutes('*path');
  }
}
