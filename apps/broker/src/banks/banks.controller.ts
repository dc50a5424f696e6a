import { Controller, Get } from '@nestjs/common';
import { CurrentPrincipal, enterpriseOf, Roles, type Principal } from '../auth/index.js';
import { ContractPolicy } from '../contracts/index.js';
import { FlowControl } from '../flow/index.js';

@Controller('v1/banks')
@Roles('enterprise')
export class BanksController {
  constructor(
    private readonly contracts: ContractPolicy,
    private readonly flow: FlowControl,
  ) {}

  /** The banks this enterprise has an active contract with, and what each contract allows. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ data: Record<string, unknown>[] }> {
    const contracts = await this.contracts.active(enterpriseOf(principal));
    const availability = await Promise.all(contracts.map((c) => this.flow.availability(c.bank)));
    return {
      data: contracts.map((c, i) => ({
        id: c.bank.id,
        name: c.bank.name,
        status: c.bank.status,
        availability: availability[i],
        claims: c.claims,
        purposes: c.purposes,
        mode: c.mode,
      })),
    };
  }
}
