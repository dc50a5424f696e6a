import { Controller, Get, Header, Inject } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig, type PrivateJwk } from '@kyc/platform';
import { Public } from '../auth/index.js';

type PublicJwk = Record<string, unknown>;

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']);

function publicPart(jwk: PrivateJwk, use: 'sig', alg: string): PublicJwk {
  return { ...Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.has(k))), use, alg };
}

/** The broker's public keys: client authentication (ES256) and ledger checkpoint signing (Ed25519). */
@Controller('.well-known')
@Public()
export class JwksController {
  private readonly jwks: { keys: PublicJwk[] };

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    this.jwks = {
      keys: [publicPart(config.keys.clientAuthJwk, 'sig', 'ES256'), publicPart(config.keys.ledgerSigningJwk, 'sig', 'EdDSA')],
    };
  }

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  keys(): { keys: PublicJwk[] } {
    return this.jwks;
  }
}
