import type { Verification } from '@kyc/platform';

export type VerificationView = {
  id: string;
  status: string;
  bank_id: string;
  claims: string[];
  purpose: string;
  mode: string;
  created_at: string;
  expires_at: string;
  authorized_at?: string;
  access_expires_at?: string;
  ended_at?: string;
  error?: string;
};

/** The enterprise's view of a verification: status and timing only, never personal data. */
export function verificationView(v: Verification): VerificationView {
  return {
    id: v.id,
    status: v.status,
    bank_id: v.bankId,
    claims: v.claims,
    purpose: v.purpose,
    mode: v.mode,
    created_at: v.createdAt.toISOString(),
    expires_at: v.expiresAt.toISOString(),
    ...(v.authorizedAt ? { authorized_at: v.authorizedAt.toISOString() } : {}),
    ...(v.accessExpiresAt ? { access_expires_at: v.accessExpiresAt.toISOString() } : {}),
    ...(v.endedAt ? { ended_at: v.endedAt.toISOString() } : {}),
    ...(v.error ? { error: v.error } : {}),
  };
}
