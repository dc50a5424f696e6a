import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { BANK_RUNTIME, type BankRuntime } from '../bank/bank-runtime.js';
import { controlUpdateSchema, type ControlStats, type FaultSettings } from './control-state.js';

const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export interface ControlCustomer {
  readonly username: string;
  readonly person_ref: string;
  readonly record: unknown;
}

/** Test controls (SPEC §6): only when the bank runs with BANK_CONTROL=1, otherwise these paths do not exist. */
@Controller('__control')
export class ControlController {
  constructor(@Inject(BANK_RUNTIME) private readonly runtime: BankRuntime) {}

  @Post()
  @HttpCode(200)
  update(@Body() body: unknown): FaultSettings {
    this.assertEnabled();
    const change = controlUpdateSchema.safeParse(body);
    if (!change.success) throw new BadRequestException(change.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return this.runtime.control.update(change.data);
  }

  @Get()
  settings(): FaultSettings {
    this.assertEnabled();
    return this.runtime.control.current;
  }

  @Get('stats')
  stats(): ControlStats {
    this.assertEnabled();
    return this.runtime.control.stats();
  }

  @Get('customers')
  customers(@Query() query: Record<string, unknown>): { data: ControlCustomer[]; total: number } {
    this.assertEnabled();
    const page = pageSchema.safeParse(query);
    if (!page.success) throw new BadRequestException('limit must be 1..5000 and offset ≥ 0');
    const { customers } = this.runtime.directory;
    const data = customers.slice(page.data.offset, page.data.offset + page.data.limit).map((customer) => ({
      username: customer.username,
      person_ref: customer.person.ref,
      record: this.runtime.bank.fullRecord(customer),
    }));
    return { data, total: customers.length };
  }

  private assertEnabled(): void {
    if (!this.runtime.config.controlEnabled) throw new NotFoundException();
  }
}
