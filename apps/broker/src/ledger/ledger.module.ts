import { Global, Module } from '@nestjs/common';
import { LedgerService } from './ledger.service.js';
import { MerkleStore } from './merkle-store.js';

@Global()
@Module({ providers: [LedgerService, MerkleStore], exports: [LedgerService, MerkleStore] })
export class LedgerModule {}
