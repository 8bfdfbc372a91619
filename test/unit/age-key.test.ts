import { describe, expect, it } from 'vitest';
import { ageKeyPairOf, bech32, generateAgeKeyPair } from '../../generators/lib/age-key.ts';

describe('age key pairs', () => {
  it('encodes the pair age-keygen derives (checked with age-keygen -y of age 1.2.1)', () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(ageKeyPairOf(secret)).toEqual({
      identity: 'AGE-SECRET-KEY-1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSNZS23V9CCRYDPK8QARC0SWRYDWG',
      recipient: 'age13aqvttdk3ujkyjh9kg2w5an6dmy5mq5a84a4uxk3hfhnugfc9p0sy5p2wh',
    });
  });

  it('computes the BIP 173 checksum (its valid test vector)', () => {
    expect(bech32('a', new Uint8Array())).toBe('a12uel5l');
  });

  it('generates a fresh pair each time, in the shapes age accepts', () => {
    const [first, second] = [generateAgeKeyPair(), generateAgeKeyPair()];
    expect(first.recipient).toMatch(/^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/);
    expect(first.identity).toMatch(/^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/);
    expect(second.identity).not.toBe(first.identity);
  });
});
