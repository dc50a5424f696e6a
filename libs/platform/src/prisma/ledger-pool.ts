import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { BROKER_CONFIG, type BrokerConfig } from '../config/broker-config.js';
import { survivePoolErrors } from './pool-errors.js';

/**
 * The ledger appender's own connections (node-postgres, no ORM in between): group commits never
 * wait behind the general pool, and the general pool's readers never wait behind a commit.
 */
@Injectable()
export class LedgerPool extends pg.Pool implements OnModuleDestroy {
  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    super({
      connectionString: config.databaseUrl,
      max: config.ledger.poolSize,
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      application_name: 'kyc-broker-ledger',
    });
    survivePoolErrors(this);
  }

  async onModuleDestroy(): Promise<void> {
    await this.end();
  }
}

/**
 * Node-postgres connections for bulk reads (the audit statistics and export): tens of thousands of
 * rows go through the driver as plain arrays, without the ORM's per-row mapping.
 */
@Injectable()
export class ReadPool extends pg.Pool implements OnModuleDestroy {
  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    super({
      connectionString: config.databaseUrl,
      max: config.readPoolSize,
      connectionTimeoutMillis: 2_000,
      idleTimeoutMillis: 30_000,
      application_name: 'kyc-broker-reads',
    });
    survivePoolErrors(this);
  }

  async onModuleDestroy(): Promise<void> {
    await this.end();
  }
}
