import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { installedBankAdapters } from '@kyc/bank-adapters';
import { ContractsModule } from '../contracts/index.js';
import { FlowModule } from '../flow/index.js';
import { bankAdapterProviders } from './bank-adapter.providers.js';
import { BankClientService } from './bank-client.service.js';
import { BanksController } from './banks.controller.js';

/** The banks: rows, installed adapters, the FAPI client, and the enterprise's list of its banks. */
@Module({
  imports: [DiscoveryModule, FlowModule, ContractsModule],
  controllers: [BanksController],
  providers: [...bankAdapterProviders(installedBankAdapters()), BankClientService],
  exports: [BankClientService],
})
export class BanksModule {}
