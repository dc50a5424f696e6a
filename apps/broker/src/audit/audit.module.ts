import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/index.js';
import { AuditEntriesService } from './audit-entries.service.js';
import { AuditExport } from './audit-export.js';
import { AuditStatsService } from './audit-stats.service.js';
import { AuditController, DistributionsController } from './audit.controller.js';
import { CheckpointScheduler } from './checkpoint-scheduler.js';
import { CheckpointsService } from './checkpoints.service.js';
import { WitnessClient } from './witness-client.js';

/** The auditor's API over the distribution history (entries, checkpoints, proofs, export, stats) and the enterprise's own part. */
@Module({
  imports: [LedgerModule],
  controllers: [AuditController, DistributionsController],
  providers: [AuditEntriesService, AuditExport, AuditStatsService, CheckpointsService, CheckpointScheduler, WitnessClient],
})
export class AuditModule {}
