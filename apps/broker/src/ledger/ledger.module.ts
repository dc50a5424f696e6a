import { Module } from '@nestjs/common';
import { LedgerService } from './ledger.service.js';
import { MerkleStore } from './merkle-store.js';

/** The distribution history: gap-free appends inside the caller's transaction, and its Merkle tree. */
@Module({ providers: [LedgerService, MerkleStore], exports: [LedgerService, MerkleStore] })
export class LedgerModule {}
