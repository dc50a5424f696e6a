import { Module } from '@nestjs/common';
import { FlowModule } from '../flow/index.js';
import { ContractPolicy } from './contract-policy.service.js';

/** The contract check done before any call to a bank (SPEC §7), and the per-contract rate limit. */
@Module({ imports: [FlowModule], providers: [ContractPolicy], exports: [ContractPolicy] })
export class ContractsModule {}
