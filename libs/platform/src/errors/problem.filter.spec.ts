import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Prisma } from '../prisma/index.js';
import { ProblemError } from './problem.js';
import { toProblem } from './problem.filter.js';

const prismaError = (code: string): Prisma.PrismaClientKnownRequestError =>
  new Prisma.PrismaClientKnownRequestError(`prisma failed with ${code}`, { code, clientVersion: '6.19' });

describe(toProblem.name, () => {
  it('passes a ProblemError on as it is', () => {
    const problem = new ProblemError('NOT_FOUND', 'No such thing.');
    expect(toProblem(problem)).toBe(problem);
  });

  it('turns a zod error into VALIDATION_FAILED with one entry per issue', () => {
    const result = z.strictObject({ a: z.string() }).safeParse({ a: 1, b: 2 });
    const sut = toProblem(result.error);
    expect(sut.code).toBe('VALIDATION_FAILED');
    expect(sut.errors?.length).toBe(2);
  });

  it.each(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028'])('answers Prisma %s as 503 DEPENDENCY_UNAVAILABLE with Retry-After', (code) => {
    const sut = toProblem(prismaError(code));
    expect(sut.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(sut.status).toBe(503);
    expect(sut.retryAfterSeconds).toBe(1);
  });

  it('keeps a Prisma error about the request itself internal', () => {
    expect(toProblem(prismaError('P2002')).code).toBe('INTERNAL');
  });

  it('answers a lost Redis or pg connection as DEPENDENCY_UNAVAILABLE', () => {
    expect(toProblem(new Error('Connection is closed.')).code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(toProblem(new Error('timeout exceeded when trying to connect')).code).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it.each(['57P01', '08006', '53300', '57014', '55P03'])('answers a node-postgres error with SQLSTATE %s as DEPENDENCY_UNAVAILABLE, also wrapped by Prisma', (sqlstate) => {
    expect(toProblem(Object.assign(new Error('database said no'), { code: sqlstate })).code).toBe('DEPENDENCY_UNAVAILABLE');
    const wrapped = new Prisma.PrismaClientKnownRequestError('raw query failed', {
      code: 'P2010', clientVersion: '6.19', meta: { driverAdapterError: { cause: { originalCode: sqlstate, kind: 'postgres' } } },
    });
    expect(toProblem(wrapped).code).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it('keeps a database error about the statement itself internal', () => {
    expect(toProblem(Object.assign(new Error('duplicate key'), { code: '23505' })).code).toBe('INTERNAL');
  });

  it('hides anything else behind INTERNAL, keeping it as the cause', () => {
    const err = new Error('secret detail');
    const sut = toProblem(err);
    expect(sut.code).toBe('INTERNAL');
    expect(sut.detail).not.toContain('secret');
    expect(sut.cause).toBe(err);
  });
});
