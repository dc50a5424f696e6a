import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '@kyc/platform';
import { Exposure } from '../auth/index.js';

/** Prometheus scrape endpoint; labels carry no ids and no personal data. */
@Controller('metrics')
@Exposure('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
