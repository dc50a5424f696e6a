import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config.js';
import { PrismaClient } from './generated/client.js';

/** The only place that constructs a PrismaClient: Prisma 6.19's JS engine over node-postgres. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.databaseUrl,
        max: config.databasePoolSize,
        connectionTimeoutMillis: 2_000,
        idleTimeoutMillis: 30_000,
      }),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
