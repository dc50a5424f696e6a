import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BROKER_CONFIG, requestIdOf, type BrokerConfig } from '@kyc/platform';
import { Public } from '../auth/index.js';
import { ConsentService } from './consent.service.js';

/** The browser-facing half of the flow: no API key, only redirects. */
@Controller()
@Public()
export class ConsentController {
  constructor(
    private readonly consent: ConsentService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  @Get('v1/verifications/:id/authorize')
  async authorize(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const target = await this.consent.authorize(id);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, target.toString());
  }

  @Get('v1/oauth/callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const url = new URL(req.originalUrl, `${this.config.publicUrl}/`);
    const target = await this.consent.callback(url, requestIdOf(req, res));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(302, target.toString());
  }
}
