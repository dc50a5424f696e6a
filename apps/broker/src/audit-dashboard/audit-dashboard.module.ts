import { Module } from '@nestjs/common';
import { AuditDashboardController } from './audit-dashboard.controller.js';

/** The auditor dashboard: a static page and its browser bundle, reading the auditor API (SPEC §8). */
@Module({ controllers: [AuditDashboardController] })
export class AuditDashboardModule {}
