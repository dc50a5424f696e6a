import { randomBytes } from 'node:crypto';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BROKER_CONFIG, requestIdOf, type BrokerConfig } from '@kyc/platform';
import { Public } from '../auth/index.js';
import { LimitByAddress, LimitByVerification } from '../flow/index.js';
import { browserDigest } from './consent-state.store.js';
import { ConsentService } from './consent.service.js';

/** The cookie that binds a consent's callback to the browser that started it (RFC 6749 §10.12). */
export const FLOW_COOKIE = 'kyc_consent';
const BINDING = /^[A-Za-z0-9_-]{43}$/;

/** The flow cookie's value when the request carries a well-formed one. */
function bindingOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === FLOW_COOKIE && value !== undefined && BINDING.test(value)) return value;
  }
  return undefined;
}

/** The browser-facing half of the flow: no API key, only redirects; limited per client address. */
@Controller()
@Public()
@LimitByAddress()
export class ConsentController {
  constructor(
    private readonly consent: ConsentService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  @Get('v1/verifications/:id/authorize')
  @LimitByVerification()
  async authorize(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const binding = bindingOf(req) ?? randomBytes(32).toString('base64url');
    const target = await this.consent.authorize(id, browserDigest(binding));
    res.cookie(FLOW_COOKIE, binding, {
      httpOnly: true,
      // Lax: sent on the bank's top-level redirect back to the callback, not on cross-site subrequests.
      sameSite: 'lax',
      secure: this.config.publicUrl.startsWith('https:'),
      path: '/v1/',
      maxAge: this.config.verificationTtlSeconds * 1000,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, target.toString());
  }

  @Get('v1/oauth/callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const url = new URL(req.originalUrl, `${this.config.publicUrl}/`);
    const binding = bindingOf(req);
    const target = await this.consent.callback(url, requestIdOf(req, res), binding === undefined ? undefined : browserDigest(binding));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, target.toString());
  }
}
