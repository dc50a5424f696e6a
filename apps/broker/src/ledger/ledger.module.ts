import { Module } from '@nestjs/common';
import { LedgerAppender } from './ledger-appender.js';
import { LedgerService } from './ledger.service.js';
import { MerkleStore } from './merkle-store.js';

/** The distribution history: gap-free group-committed appends, and its Merkle tree. */
@Module({ providers: [LedgerAppender, LedgerService, MerkleStore], exports: [LedgerService, MerkleStore] })
export class LedgerModule {}
