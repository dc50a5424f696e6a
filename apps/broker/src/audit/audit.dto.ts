import { z } from 'zod';
import { LEDGER_ENTRY_TYPES } from '@kyc/ledger';

const count = (max: number): z.ZodCoercedNumber<unknown> => z.coerce.number().int().min(0).max(max);
const time = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const filterFields = {
  enterprise_id: z.string().max(64).optional(),
  bank_id: z.string().max(32).optional(),
  verification_id: z.string().max(64).optional(),
  bank_subject: z.string().min(1).max(256).optional(),
  type: z.enum(LEDGER_ENTRY_TYPES).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  from: time.optional(),
  to: time.optional(),
};

const subjectNeedsBank: [(f: { bank_subject?: string | undefined; bank_id?: string | undefined }) => boolean, { message: string; path: string[] }] = [
  (f) => f.bank_subject === undefined || f.bank_id !== undefined,
  { message: 'bank_subject needs bank_id', path: ['bank_id'] },
];

export const entryFilterSchema = z
  .strictObject({
    ...filterFields,
    limit: count(500).pipe(z.number().min(1)).default(50),
    cursor: z.string().regex(/^\d{1,19}$/, 'is not a cursor from this API').optional(),
  })
  .refine(...subjectNeedsBank);

/**
 * An enterprise's own history: the auditor's filters without `bank_subject` (an enterprise must not
 * probe guessed customer numbers) and without the need of `enterprise_id`.
 */
export const distributionFilterSchema = z.strictObject({
  enterprise_id: filterFields.enterprise_id,
  bank_id: filterFields.bank_id,
  verification_id: filterFields.verification_id,
  type: filterFields.type,
  outcome: filterFields.outcome,
  from: filterFields.from,
  to: filterFields.to,
  limit: count(500).pipe(z.number().min(1)).default(50),
  cursor: z.string().regex(/^\d{1,19}$/, 'is not a cursor from this API').optional(),
});

export const exportQuerySchema = z.strictObject({ ...filterFields, format: z.enum(['csv', 'ndjson']) }).refine(...subjectNeedsBank);

export const statsQuerySchema = z
  .strictObject({ from: time.optional(), to: time.optional(), group_by: z.literal('day').default('day') })
  .transform((q) => {
    const to = q.to ?? new Date();
    return { to, from: q.from ?? new Date(to.getTime() - 30 * 86_400_000) };
  })
  .refine((q) => q.from < q.to && q.to.getTime() - q.from.getTime() <= 366 * 86_400_000, { message: 'from must be before to, at most 366 days apart', path: ['from'] });

export type EntryFilter = z.infer<typeof entryFilterSchema>;

export const inclusionQuerySchema = z
  .strictObject({ seq: count(Number.MAX_SAFE_INTEGER), tree_size: count(Number.MAX_SAFE_INTEGER) })
  .refine((q) => q.seq < q.tree_size, { message: 'seq must be below tree_size', path: ['seq'] });

export const consistencyQuerySchema = z
  .strictObject({ from: count(Number.MAX_SAFE_INTEGER).pipe(z.number().min(1, 'must be at least 1')), to: count(Number.MAX_SAFE_INTEGER) })
  .refine((q) => q.from <= q.to, { message: 'from must not exceed to', path: ['from'] });

export const checkpointListSchema = z.strictObject({
  limit: count(100).pipe(z.number().min(1)).default(20),
  cursor: z.string().regex(/^\d{1,19}$/, 'is not a cursor from this API').optional(),
});
