import { Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ConsistencyProof, InclusionProof } from '@kyc/ledger';
import { ProblemError } from '@kyc/platform';
import { CurrentPrincipal, enterpriseOf, Roles, type Principal } from '../auth/index.js';
import { MerkleStore } from '../ledger/index.js';
import { AuditExport } from './audit-export.js';
import { AuditStatsService } from './audit-stats.service.js';
import { checkpointListSchema, consistencyQuerySchema, distributionFilterSchema, entryFilterSchema, exportQuerySchema, inclusionQuerySchema, statsQuerySchema } from './audit.dto.js';
import { AuditEntriesService, type EntryView } from './audit-entries.service.js';
import { CheckpointsService, type CheckpointView } from './checkpoints.service.js';

/** The auditor's view of the distribution history: entries, signed tree heads, Merkle proofs. */
@Controller('v1/audit')
@Roles('auditor')
export class AuditController {
  constructor(
    private readonly entries: AuditEntriesService,
    private readonly checkpoints: CheckpointsService,
    private readonly merkle: MerkleStore,
    private readonly exporter: AuditExport,
    private readonly stats: AuditStatsService,
  ) {}

  @Get('export')
  async export(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const { format, ...filter } = exportQuerySchema.parse(query);
    await this.exporter.stream(filter, format, res);
  }

  @Get('stats')
  async statsByDay(@Query() query: unknown, @Res({ passthrough: true }) res: Response): Promise<string> {
    const q = statsQuerySchema.parse(query);
    const body = await this.stats.byDay(q.from, q.to);
    res.type('application/json; charset=utf-8');
    return body;
  }

  @Get('entries')
  list(@Query() query: unknown): Promise<{ data: EntryView[]; next_cursor: string | null }> {
    return this.entries.list(entryFilterSchema.parse(query));
  }

  @Get('entries/:seq')
  one(@Param('seq') seq: string): Promise<EntryView & { inclusion_proof: Record<string, unknown> }> {
    return this.entries.one(seq);
  }

  /** JSON by default; `Accept: text/plain` answers the C2SP signed note with its cosignatures. */
  @Get('checkpoints/latest')
  async latest(@Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response): Promise<CheckpointView | string> {
    const checkpoint = await this.checkpoints.latest();
    if (checkpoint === undefined) throw new ProblemError('NOT_FOUND', 'No checkpoint yet; POST /v1/audit/checkpoints makes one.');
    return this.answer(checkpoint, accept, res);
  }

  @Get('checkpoints/:treeSize')
  async checkpoint(@Param('treeSize') treeSize: string, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response): Promise<CheckpointView | string> {
    return this.answer(await this.checkpoints.get(treeSize), accept, res);
  }

  @Get('checkpoints')
  listCheckpoints(@Query() query: unknown): Promise<{ data: CheckpointView[]; next_cursor: string | null }> {
    const q = checkpointListSchema.parse(query);
    return this.checkpoints.list(q.limit, q.cursor);
  }

  @Post('checkpoints')
  create(): Promise<CheckpointView> {
    return this.checkpoints.create();
  }

  private answer(checkpoint: CheckpointView, accept: string | undefined, res: Response): CheckpointView | string {
    const wantsNote = accept !== undefined && /\btext\/plain\b/.test(accept) && !/\bapplication\/(json|\*)/.test(accept);
    if (!wantsNote) return checkpoint;
    res.type('text/plain; charset=utf-8');
    return checkpoint.note;
  }

  @Get('proofs/inclusion')
  async inclusion(@Query() query: unknown): Promise<InclusionProof> {
    const q = inclusionQuerySchema.parse(query);
    const proof = await this.merkle.inclusionProof(q.seq, q.tree_size);
    if ('treeSize' in proof) throw tooLarge(proof.treeSize, 'tree_size');
    return { seq: q.seq, tree_size: q.tree_size, leaf_hash: proof.leafHash, audit_path: proof.auditPath };
  }

  @Get('proofs/consistency')
  async consistency(@Query() query: unknown): Promise<ConsistencyProof> {
    const q = consistencyQuerySchema.parse(query);
    const proof = await this.merkle.consistencyProof(q.from, q.to);
    if ('treeSize' in proof) throw tooLarge(proof.treeSize, 'to');
    return { from: q.from, to: q.to, proof: proof.proof };
  }
}

function tooLarge(current: number, path: string): ProblemError {
  return new ProblemError('VALIDATION_FAILED', `The tree has ${current} entries.`, { errors: [{ path, message: `must not exceed ${current}` }] });
}

/** An enterprise's own part of the history, with the auditor view's filters and paging. */
@Controller('v1/distributions')
@Roles('enterprise')
export class DistributionsController {
  constructor(private readonly entries: AuditEntriesService) {}

  @Get()
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<{ data: EntryView[]; next_cursor: string | null }> {
    const { enterprise_id: asked, ...filter } = distributionFilterSchema.parse(query);
    if (asked !== undefined && asked !== enterpriseOf(principal)) return Promise.resolve({ data: [], next_cursor: null });
    return this.entries.listOwn(enterpriseOf(principal), filter);
  }
}
