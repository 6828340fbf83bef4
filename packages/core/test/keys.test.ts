import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globToRegExp, InvalidKeyError, KeySpace, MAX_KEY_LENGTH } from '../src/index.js';

const keys = new KeySpace('v1', ['fleet', 'miner']);

describe('KeySpace', () => {
  it('builds <version>:<namespace>:<parts> in one place', () => {
    expect(keys.entry('m-1')).toBe('v1:fleet:miner:m-1');
    expect(keys.entry(['m-1', 'status'])).toBe('v1:fleet:miner:m-1:status');
    expect(keys.entry(42)).toBe('v1:fleet:miner:42');
    expect(keys.child('status').entry('m-1')).toBe('v1:fleet:miner:status:m-1');
    expect(keys.namespace).toBe('fleet:miner');
  });

  it('escapes the separator, glob characters, braces and % in ids', () => {
    expect(keys.entry('a:b*c?d[e]f\\g{h}i%j')).toBe(
      'v1:fleet:miner:a%3Ab%2Ac%3Fd%5Be%5Df%5Cg%7Bh%7Di%25j',
    );
  });

  it('refuses unsafe ids in reject mode with E_INVALID_KEY', () => {
    const strict = new KeySpace('v1', ['fleet'], 'reject');
    for (const id of ['a:b', 'a*', 'a?', '[a]', 'a\\b']) {
      expect(() => strict.entry(id)).toThrow(InvalidKeyError);
    }
    expect(strict.entry('plain-id_1.x')).toBe('v1:fleet:plain-id_1.x');
  });

  it('refuses empty keys, empty parts, non-finite numbers and overlong keys', () => {
    for (const bad of ['', [], ['a', ''], Number.NaN, Number.POSITIVE_INFINITY, [null], [{}]]) {
      expect(() => keys.entry(bad as never)).toThrow(InvalidKeyError);
    }
    expect(() => keys.entry('x'.repeat(MAX_KEY_LENGTH))).toThrow(/longer than/);
    expect(() => keys.entry('')).toThrow(expect.objectContaining({ code: 'E_INVALID_KEY' }));
  });

  it('refuses namespaces and versions that could break the key layout', () => {
    for (const bad of ['', 'a:b', 'a*', 'with space', '{x}']) {
      expect(() => new KeySpace('v1', [bad])).toThrow(InvalidKeyError);
      expect(() => new KeySpace(bad, ['ok'])).toThrow(InvalidKeyError);
    }
  });

  it('puts an entry generation in the entry slot and tags under the root namespace', () => {
    const key = keys.entry('m-1');
    expect(keys.generationOf(key)).toBe(`{${key}}:g`);
    expect(keys.tag('fleet')).toBe('__ck:v1:fleet:t:fleet');
    expect(keys.child('x').tag('fleet')).toBe(keys.tag('fleet'));
    expect(() => keys.tag('')).toThrow(InvalidKeyError);
  });

  it('confines patterns to the namespace: * and ? are wildcards, the rest is literal', () => {
    expect(keys.pattern('m-1:*')).toBe('v1:fleet:miner:m-1:*');
    expect(keys.pattern('a[b]')).toBe('v1:fleet:miner:a%5Bb%5D');
    expect(() => keys.pattern('')).toThrow(InvalidKeyError);
    expect(() => keys.pattern('a::b')).toThrow(InvalidKeyError);
  });

  it('never lets an id or a pattern match a key outside its namespace (property)', () => {
    const other = new KeySpace('v1', ['fleet', 'minerx']);
    const sibling = new KeySpace('v1', ['other']);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (id, raw) => {
        const key = keys.entry(id);
        expect(key.startsWith(keys.prefix)).toBe(true);
        expect(key.slice(keys.prefix.length)).not.toMatch(/[:*?[\]\\{}]/);
        let pattern: string;
        try {
          pattern = keys.pattern(raw);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidKeyError);
          return;
        }
        const matcher = globToRegExp(pattern);
        expect(matcher.test(other.entry(id))).toBe(false);
        expect(matcher.test(sibling.entry(id))).toBe(false);
        expect(matcher.test(keys.generationOf(key))).toBe(false);
        expect(matcher.test(keys.tag(id))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
