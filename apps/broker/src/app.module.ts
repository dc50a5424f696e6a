import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { PlatformModule, type BrokerConfig } from '@kyc/platform';
import { AdminModule } from './admin/index.js';
import { AuditDashboardModule } from './audit-dashboard/index.js';
import { AuditModule } from './audit/index.js';
import { AuthModule } from './auth/index.js';
import { BanksModule } from './banks/index.js';
import { ConsentModule } from './consent/index.js';
import { ContractsModule } from './contracts/index.js';
import { FlowModule } from './flow/index.js';
import { HealthModule } from './health/index.js';
import { IdentityModule } from './identity/index.js';
import { KeysModule } from './keys/index.js';
import { LedgerModule } from './ledger/index.js';
import { OpenApiModule } from './openapi/index.js';
import { VerificationsModule } from './verifications/index.js';
import { WebhooksModule } from './webhooks/index.js';

export interface BrokerAppOptions {
  /** More modules to load, e.g. bank adapters an installation adds (`bankAdaptersModule`). */
  readonly imports?: ModuleMetadata['imports'];
}

@Module({})
export class AppModule {
  static forRoot(config: BrokerConfig, options: BrokerAppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        // Guards run in this order: authenticate (AuthModule), then count the request against its
        // enterprise's limit (FlowModule).
        AuthModule,
        FlowModule,
        ContractsModule,
        BanksModule,
        LedgerModule,
        WebhooksModule,
        VerificationsModule,
        ConsentModule,
        IdentityModule,
        AuditModule,
        AuditDashboardModule,
        AdminModule,
        HealthModule,
        OpenApiModule,
        KeysModule,
        ...(options.imports ?? []),
      ],
    };
  }
}
