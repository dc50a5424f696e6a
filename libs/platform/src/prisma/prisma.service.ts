import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config.js';
import { PrismaClient } from './generated/client.js';
import { survivePoolErrors } from './pool-errors.js';

/**
 * The only place that constructs a PrismaClient: Prisma 6.19's JS engine over node-postgres. Its
 * pool is also open to hand-written single statements on the request path (`pool`), which skip the
 * ORM's query compilation where a release pays for it on every call (docs/performance.md).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  readonly pool: pg.Pool;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      application_name: 'kyc-broker',
    });
    survivePoolErrors(pool);
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    if (!this.pool.ended && !this.pool.ending) await this.pool.end();
  }
}
