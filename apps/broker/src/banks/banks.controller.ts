import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, enterpriseOf, Roles, type Principal } from '../auth/index.js';
import { ContractPolicy } from '../contracts/index.js';

@Controller('v1/banks')
@Roles('enterprise')
export class BanksController {
  constructor(private readonly contracts: ContractPolicy) {}

  /** The banks this enterprise has an active contract with, and what each contract allows. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ data: Record<string, unknown>[] }> {
    const contracts = await this.contracts.active(enterpriseOf(principal));
    return {
      data: contracts.map((c) => ({ id: c.bank.id, name: c.bank.name, status: c.bank.status, claims: c.claims, purposes: c.purposes, mode: c.mode })),
    };
  }
}
