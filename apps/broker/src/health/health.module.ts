import { Module } from '@nestjs/common';
import { BanksModule } from '../banks/index.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/** Liveness, readiness and the Prometheus scrape. */
@Module({ imports: [BanksModule], controllers: [HealthController, MetricsController] })
export class HealthModule {}
