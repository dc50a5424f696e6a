import { Controller, Get } from '@nestjs/common';
import { PrismaService } from '@kyc/platform';
import { CurrentPrincipal, enterpriseOf, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { isWithinWindow } from '../contracts/contract-policy.service.js';

@Controller('v1/banks')
@Roles('enterprise')
export class BanksController {
  constructor(private readonly prisma: PrismaService) {}

  /** The banks this enterprise has an active contract with, and what each contract allows. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ data: Record<string, unknown>[] }> {
    const now = new Date();
    const contracts = await this.prisma.contract.findMany({
      where: { enterpriseId: enterpriseOf(principal), status: 'active' },
      include: { bank: true },
      orderBy: { bankId: 'asc' },
    });
    return {
      data: contracts
        .filter((c) => isWithinWindow(c, now))
        .map((c) => ({ id: c.bank.id, name: c.bank.name, status: c.bank.status, claims: c.claims, purposes: c.purposes, mode: c.mode })),
    };
  }
}
