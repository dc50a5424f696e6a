import { Module, type DynamicModule } from '@nestjs/common';
import { BANK_ADAPTERS } from '@kyc/bank-adapters';
import { installedBankAdapters } from '@kyc/bank-adapters';
import { PlatformModule, type BrokerConfig } from '@kyc/platform';
import { AdminController } from './admin/admin.controller.js';
import { AdminService } from './admin/admin.service.js';
import { AuditEntriesService } from './audit/audit-entries.service.js';
import { AuditExport } from './audit/audit-export.js';
import { AuditStatsService } from './audit/audit-stats.service.js';
import { AuditController, DistributionsController } from './audit/audit.controller.js';
import { AuditDashboardController } from './audit-dashboard/audit-dashboard.controller.js';
import { CheckpointScheduler } from './audit/checkpoint-scheduler.js';
import { CheckpointsService } from './audit/checkpoints.service.js';
import { AuthModule } from './auth/auth.module.js';
import { BankClientService } from './banks/bank-client.service.js';
import { BanksController } from './banks/banks.controller.js';
import { BankSlots } from './flow/bank-slots.js';
import { CircuitBreaker } from './flow/circuit-breaker.js';
import { FlowControl } from './flow/flow-control.js';
import { ConsentStateStore } from './consent/consent-state.store.js';
import { ConsentController } from './consent/consent.controller.js';
import { ConsentService } from './consent/consent.service.js';
import { ContractPolicy } from './contracts/contract-policy.service.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { IdentityService } from './identity/identity.service.js';
import { JwksController } from './keys/jwks.controller.js';
import { DocsController } from './openapi/docs.controller.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { VerificationsController } from './verifications/verifications.controller.js';
import { VerificationsService } from './verifications/verifications.service.js';
import { ExpirySweeper } from './verifications/expiry-sweeper.js';
import { WebhooksService } from './webhooks/webhooks.service.js';

@Module({})
export class AppModule {
  static forRoot(config: BrokerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(config), AuthModule, LedgerModule],
      controllers: [AdminController, AuditController, DistributionsController, BanksController, VerificationsController, ConsentController, HealthController, MetricsController, JwksController, DocsController, AuditDashboardController],
      providers: [
        { provide: BANK_ADAPTERS, useFactory: installedBankAdapters },
        AdminService,
        AuditEntriesService,
        AuditExport,
        AuditStatsService,
        CheckpointsService,
        CheckpointScheduler,
        BankClientService,
        FlowControl,
        BankSlots,
        CircuitBreaker,
        ContractPolicy,
        ConsentStateStore,
        ConsentService,
        VerificationsService,
        IdentityService,
        ExpirySweeper,
        WebhooksService,
      ],
    };
  }
}
