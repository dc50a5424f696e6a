import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { BanksModule } from '../banks/index.js';
import { HealthController } from './health.controller.js';
import { DrainMiddleware, Lifecycle } from './lifecycle.js';
import { MetricsController } from './metrics.controller.js';

/** Liveness, readiness (and draining on shutdown) and the Prometheus scrape. */
@Module({ imports: [BanksModule], controllers: [HealthController, MetricsController], providers: [Lifecycle], exports: [Lifecycle] })
export class HealthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DrainMiddleware).forRoutes('*path');
  }
}
