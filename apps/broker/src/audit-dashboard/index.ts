export { AuditDashboardModule } from './audit-dashboard.module.js';
