import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MerkleFrontier } from './frontier.js';
import { EMPTY_TREE_ROOT, merkleRoot } from './merkle.js';

const leaf = (i: number): string => createHash('sha256').update(`leaf ${i}`).digest('hex');

describe(MerkleFrontier.name, () => {
  it('has the root of the empty tree before any leaf', () => {
    const sut = new MerkleFrontier();
    expect(sut.size).toBe(0);
    expect(sut.root()).toBe(EMPTY_TREE_ROOT);
  });

  it('has the same root as merkleRoot over the same leaves, for every size from 0 to 300', () => {
    const sut = new MerkleFrontier();
    const leaves: string[] = [];
    for (let size = 0; size <= 300; size++) {
      expect(sut.size).toBe(size);
      expect(sut.root(), `size ${size}`).toBe(merkleRoot(leaves));
      leaves.push(leaf(size));
      sut.append(leaf(size));
    }
  });

  it('keeps one hash per set bit of its size, never the leaves', () => {
    const sut = new MerkleFrontier();
    for (let i = 0; i < 1023; i++) sut.append(leaf(i));
    expect(sut.rightEdge).toHaveLength(10);
    sut.append(leaf(1023));
    expect(sut.rightEdge).toHaveLength(1);
  });

  it('refuses a leaf that is not a lowercase hex SHA-256 hash', () => {
    const sut = new MerkleFrontier();
    expect(() => sut.append('ABC')).toThrow(TypeError);
    expect(() => sut.append(leaf(0).toUpperCase())).toThrow(TypeError);
    expect(sut.size).toBe(0);
  });
});
