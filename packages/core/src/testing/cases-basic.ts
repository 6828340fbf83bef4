import assert from 'node:assert/strict';
import type { StoreCapabilities } from '../store.js';
import type { Suite } from './suite.js';
import { assertRoundTrip, LONG_TTL, preview } from './support.js';

const CAPABILITY_NAMES: ReadonlyArray<keyof StoreCapabilities> = [
  'patternDelete',
  'atomicGuards',
  'local',
  'cluster',
];

/** Identity, capabilities, get/set and the values and keys a store must carry unchanged. */
export function registerBasicCases(suite: Suite): void {
  suite.group('identity', () => {
    suite.test('has a name and four boolean capabilities', async (store) => {
      assert.equal(typeof store.name, 'string');
      assert.ok(store.name.length > 0, 'store.name is empty');
      for (const name of CAPABILITY_NAMES) {
        assert.equal(typeof store.capabilities[name], 'boolean', `capabilities.${name}`);
      }
    });

    suite.test('declares the capabilities the suite was told about', async (store) => {
      for (const [name, expected] of Object.entries(suite.declared)) {
        const actual = store.capabilities[name as keyof StoreCapabilities];
        assert.equal(
          actual,
          expected,
          `store.capabilities.${name} is ${actual} but the suite expected ${expected}: ` +
            `pass capabilities: { ${name}: ${actual} } to runStoreConformance`,
        );
      }
    });
  });

  suite.group('get / set', () => {
    suite.test('get of a missing key resolves to undefined', async (store, p) => {
      assert.equal(await store.get(`${p}missing`), undefined);
    });

    suite.test('set then get returns the value', async (store, p) => {
      await assertRoundTrip(store, `${p}a`, 'hello');
    });

    suite.test('set replaces an existing value', async (store, p) => {
      await store.set(`${p}a`, 'first', LONG_TTL);
      await store.set(`${p}a`, 'second', LONG_TTL);
      assert.equal(await store.get(`${p}a`), 'second');
    });

    suite.test('keeps the empty string apart from a missing key', async (store, p) => {
      await store.set(`${p}empty`, '', LONG_TTL);
      assert.equal(await store.get(`${p}empty`), '');
      assert.deepEqual(await store.getMany([`${p}empty`, `${p}missing`]), ['', undefined]);
    });

    suite.test(
      'returns values that look like numbers or JSON as the same strings',
      async (store, p) => {
        const values = [
          '0',
          '007',
          '1e3',
          '-0',
          '1.50',
          'null',
          'true',
          '{"a":1}',
          '[1, 2]',
          ' 1 ',
        ];
        for (const [i, value] of values.entries()) await assertRoundTrip(store, `${p}${i}`, value);
      },
    );
  });

  suite.group('values', () => {
    suite.test('round-trips unicode, combining marks and emoji', async (store, p) => {
      const values = [
        'Grüße, 世界, Привет, مرحبا, שלום',
        'e\u0301 n\u0303 (combining marks)',
        '𝄞 𝕏 (astral plane)',
        '🚀 👩‍👩‍👧‍👦 🇨🇿 👍🏽',
        '\u2028\u2029\ufeff zero\u200bwidth',
      ];
      for (const [i, value] of values.entries()) await assertRoundTrip(store, `${p}${i}`, value);
    });

    suite.test('round-trips \\n, \\r\\n, \\0 and other control characters', async (store, p) => {
      const values = [
        'a\nb\n',
        'a\r\nb\r\n',
        'nul\0in\0the\0middle\0',
        '\0',
        '\t\x1b[0m\x7f\b',
        '\r',
      ];
      for (const [i, value] of values.entries()) await assertRoundTrip(store, `${p}${i}`, value);
    });

    suite.test('round-trips a 1 MiB value', async (store, p) => {
      const value = `${'0123456789abcdef'.repeat(65_536 - 1)}<<end of 1 MiB>>`;
      assert.equal(value.length, 1024 * 1024);
      await assertRoundTrip(store, `${p}big`, value);
      const [read] = await store.getMany([`${p}big`]);
      assert.ok(read === value, `getMany returned ${preview(read)}`);
    });
  });

  suite.group('keys', () => {
    suite.test('accepts keys with spaces', async (store, p) => {
      const keys = [`${p}with space`, `${p} leading`, `${p}trailing `, `${p}tab\there`];
      for (const [i, key] of keys.entries()) await assertRoundTrip(store, key, `v${i}`);
      assert.deepEqual(await store.getMany(keys), ['v0', 'v1', 'v2', 'v3']);
    });

    suite.test('accepts keys with unicode and emoji', async (store, p) => {
      const keys = [`${p}ключ`, `${p}键`, `${p}🔑`, `${p}e\u0301`, `${p}é`];
      for (const [i, key] of keys.entries()) await assertRoundTrip(store, key, `v${i}`);
      assert.deepEqual(await store.getMany(keys), ['v0', 'v1', 'v2', 'v3', 'v4']);
    });

    suite.test('accepts keys with {hash tag} braces', async (store, p) => {
      const keys = [`${p}{user:1}:profile`, `{${p}}tagged`, `${p}{}empty-tag`, `${p}}{reversed`];
      for (const [i, key] of keys.entries()) await assertRoundTrip(store, key, `v${i}`);
      assert.deepEqual(await store.getMany(keys), ['v0', 'v1', 'v2', 'v3']);
    });

    suite.test('accepts keys with colons and glob characters taken literally', async (store, p) => {
      const keys = [`${p}a:b::c:`, `${p}star*`, `${p}q?`, `${p}[x]`, `${p}back\\slash`];
      for (const [i, key] of keys.entries()) await assertRoundTrip(store, key, `v${i}`);
      assert.equal(await store.get(`${p}starX`), undefined);
      assert.equal(await store.get(`${p}qX`), undefined);
      assert.equal(await store.get(`${p}x`), undefined);
    });

    suite.test('treats keys differing only in case or whitespace as distinct', async (store, p) => {
      const keys = [`${p}Key`, `${p}key`, `${p}key `, `${p}KEY`];
      await store.setMany(keys.map((key, i) => ({ key, value: `v${i}`, ttl: LONG_TTL })));
      assert.deepEqual(await store.getMany(keys), ['v0', 'v1', 'v2', 'v3']);
    });
  });
}
