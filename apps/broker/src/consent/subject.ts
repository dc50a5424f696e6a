import { keyedHash } from '@kyc/platform';

/** Pairwise subject: stable per enterprise + bank + customer, unlinkable across enterprises. */
export function pairwiseSubject(subjectKey: Buffer, enterpriseId: string, bankId: string, bankSubject: string): string {
  return keyedHash(subjectKey, 'kyc-broker/pairwise-subject/v1', enterpriseId, bankId, bankSubject).toString('base64url');
}
