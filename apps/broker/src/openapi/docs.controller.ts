import { createRequire } from 'node:module';
import path from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ProblemError } from '@kyc/platform';
import { Exposure } from '../auth/index.js';
import { buildOpenApiDocument } from './openapi.document.js';

const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']);
const assetsDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>KYC broker API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });`;

/** The OpenAPI document and Swagger UI, served from the installed swagger-ui-dist (no CDN). */
@Controller()
@Exposure('docs')
export class DocsController {
  private readonly document = buildOpenApiDocument();

  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Security-Policy', UI_CSP)
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('docs/init.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  @Get('docs/assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!ASSETS.has(file)) throw new ProblemError('NOT_FOUND', 'No such resource.');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(path.join(assetsDir, file));
  }
}
