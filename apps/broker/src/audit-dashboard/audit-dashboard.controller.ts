import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/index.js';
import { APP_CSS, PAGE_HTML } from './dashboard.assets.js';
import { loadDashboardScript } from './dashboard.bundle.js';

// The page's own policy replaces the API's `default-src 'none'`: its script, styles and API calls
// come from this origin only, and nothing inline runs.
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The auditor dashboard (SPEC §8). The page itself is public and holds no data; everything it shows
 * comes from the auditor API with the key the auditor enters on the page.
 */
@Controller('audit')
@Public()
export class AuditDashboardController {
  /** The built browser bundle (browser/ → dist/audit-dashboard/app.js), read once: a missing bundle stops the start-up. */
  private readonly appJs = loadDashboardScript();

  /** `/audit` and `/audit/` reach the same route; only the latter is the page, so relative URLs work. */
  @Get()
  page(@Req() req: Request, @Res() res: Response): void {
    if (!req.path.endsWith('/')) {
      const query = req.originalUrl.indexOf('?');
      res.redirect(301, `/audit/${query === -1 ? '' : req.originalUrl.slice(query)}`);
      return;
    }
    res.set({ 'Content-Security-Policy': PAGE_CSP, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.send(PAGE_HTML);
  }

  @Get('app.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return this.appJs;
  }

  @Get('app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  styles(): string {
    return APP_CSS;
  }
}
