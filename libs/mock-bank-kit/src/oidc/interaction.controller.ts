import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import { BANK_RUNTIME, type BankRuntime } from '../bank/bank-runtime.js';
import { kycReleaseOf, type KycRelease } from './kyc-release.js';
import { PAGE_SECURITY_HEADERS, renderConsentPage, renderErrorPage, renderLoginPage } from './pages.js';

export const DEMO_PASSWORD = 'password';

const loginSchema = z.object({ username: z.string().max(64), password: z.string().max(256) });
const consentSchema = z.object({ decision: z.enum(['approve', 'deny']) });

type Details = Awaited<ReturnType<BankRuntime['provider']['interactionDetails']>>;

/** The bank's login and consent pages, driven by oidc-provider's interaction API. */
@Controller('interaction')
export class InteractionController {
  constructor(@Inject(BANK_RUNTIME) private readonly runtime: BankRuntime) {}

  @Get(':uid')
  async show(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const details = await this.details(req, res);
    if (!details || details.uid !== uid) return;
    if (details.prompt.name === 'login') {
      this.html(res, 200, renderLoginPage(this.runtime.bank.branding, uid));
      return;
    }
    const release = this.requestedRelease(details);
    if (!release) {
      await this.finish(req, res, { error: 'invalid_request', error_description: 'exactly one kyc_release authorization detail is required' });
      return;
    }
    this.html(res, 200, renderConsentPage(this.runtime.bank.branding, uid, release));
  }

  @Post(':uid/login')
  async login(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const details = await this.details(req, res);
    if (!details || details.uid !== uid) return;
    const form = loginSchema.safeParse(req.body);
    const customer = form.success ? this.runtime.directory.find(form.data.username.trim()) : undefined;
    // One message for every failure: never reveal whether the customer number or the password was wrong.
    if (details.prompt.name !== 'login' || !customer || !form.success || form.data.password !== DEMO_PASSWORD) {
      this.html(res, 401, renderLoginPage(this.runtime.bank.branding, uid, 'お客さま番号またはパスワードが正しくありません。 The customer number or password is incorrect.'));
      return;
    }
    await this.finish(req, res, { login: { accountId: customer.username } }, false);
  }

  @Post(':uid/consent')
  async consent(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const details = await this.details(req, res);
    if (!details || details.uid !== uid) return;
    const form = consentSchema.safeParse(req.body);
    const release = this.requestedRelease(details);
    if (details.prompt.name !== 'consent' || !form.success || !release || !details.session?.accountId) {
      this.html(res, 400, renderErrorPage(this.runtime.bank.branding, 'invalid_request', 'この操作は受け付けられません。 This request cannot be processed.'));
      return;
    }
    if (form.data.decision === 'deny') {
      await this.finish(req, res, { error: 'access_denied', error_description: 'the customer denied the release of their data' });
      return;
    }
    const grantId = await this.grant(details, details.session.accountId, release);
    await this.finish(req, res, { consent: { grantId } }, true);
  }

  /** A fresh grant per consent: exactly the requested scopes and the one approved kyc_release detail. */
  private async grant(details: Details, accountId: string, release: KycRelease): Promise<string> {
    const { provider } = this.runtime;
    const grant = new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
    const missingOidc = details.prompt.details['missingOIDCScope'];
    if (Array.isArray(missingOidc)) grant.addOIDCScope(missingOidc.map(String).join(' '));
    const missingResource = details.prompt.details['missingResourceScopes'];
    if (missingResource && typeof missingResource === 'object') {
      for (const [indicator, scopes] of Object.entries(missingResource)) {
        if (Array.isArray(scopes)) grant.addResourceScope(indicator, scopes.map(String).join(' '));
      }
    }
    grant.addRar(release);
    return grant.save();
  }

  private requestedRelease(details: Details): KycRelease | undefined {
    const raw = details.params['authorization_details'];
    if (typeof raw !== 'string') return undefined;
    try {
      return kycReleaseOf(JSON.parse(raw));
    } catch {
      return undefined;
    }
  }

  private async details(req: Request, res: Response): Promise<Details | undefined> {
    try {
      return await this.runtime.provider.interactionDetails(req, res);
    } catch {
      this.html(res, 400, renderErrorPage(this.runtime.bank.branding, 'session_expired', 'セッションの有効期限が切れました。最初からやり直してください。 The session expired; please start again.'));
      return undefined;
    }
  }

  private async finish(req: Request, res: Response, result: InteractionResults, merge = false): Promise<void> {
    await this.runtime.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  }

  private html(res: Response, status: number, body: string): void {
    res.status(status).type('html').set({ 'Cache-Control': 'no-store', ...PAGE_SECURITY_HEADERS }).send(body);
  }
}
