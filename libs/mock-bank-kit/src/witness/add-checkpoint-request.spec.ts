import { describe, expect, it } from 'vitest';
import { parseAddCheckpointRequest } from './add-checkpoint-request.js';

// The example request body of c2sp.org/tlog-witness.
const SPEC_EXAMPLE = `old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
`;

describe(parseAddCheckpointRequest.name, () => {
  it('reads the example of the spec', () => {
    const sut = parseAddCheckpointRequest(Buffer.from(SPEC_EXAMPLE));

    expect(sut.oldSize).toBe(20852014);
    expect(sut.proof).toHaveLength(4);
    expect(sut.proof[0]).toBe(Buffer.from('PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=', 'base64').toString('hex'));
    expect(sut.checkpoint).toMatchObject({ origin: 'example.com/behind-the-sofa', size: 20852163 });
    expect(sut.note.signatures).toHaveLength(2);
  });

  it('reads a request without proof lines', () => {
    const sut = parseAddCheckpointRequest(Buffer.from(`old 0\n\n${SPEC_EXAMPLE.slice(SPEC_EXAMPLE.indexOf('example.com'))}`));

    expect([sut.oldSize, sut.proof]).toEqual([0, []]);
  });

  it('refuses a proof line with stray bits or of another length', () => {
    const stray = SPEC_EXAMPLE.replace('PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=', 'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkax=');
    const short = SPEC_EXAMPLE.replace('PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=', 'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpk==');

    expect(() => parseAddCheckpointRequest(Buffer.from(stray))).toThrow(TypeError);
    expect(() => parseAddCheckpointRequest(Buffer.from(short))).toThrow(TypeError);
  });
});
