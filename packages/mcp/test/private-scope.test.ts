import { EPHEMERAL } from '@cachekit/core';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import { createMcpHub, type McpSession } from '../src/index.js';
import { closeAfterEach, connect, recordingCache, text } from './helpers.js';

const auth = (token: string, clientId: string): AuthInfo => ({ token, clientId, scopes: ['read'] });
const ALICE = auth('alice-secret-token', 'alice');
const BOB = auth('bob-secret-token', 'bob');

const open = closeAfterEach();

describe('private scope', () => {
  it('never serves one auth context what another one read, and never caches the anonymous', async () => {
    const { cache, sets } = recordingCache();
    const hub = createMcpHub({ cache });
    open.hub = hub;
    const reads: string[] = [];
    const register = (session: McpSession): void => {
      session.resource(
        'my-miners',
        new ResourceTemplate('braiins:///account/{view}', { list: undefined }),
        {},
        async (uri, _variables, extra) => {
          const who = extra.authInfo?.clientId ?? 'anonymous';
          reads.push(who);
          return { contents: [{ uri: uri.href, text: JSON.stringify({ owner: who }) }] };
        },
        { policy: EPHEMERAL, scope: 'private' },
      );
    };
    const alice = await connect(hub, register, ALICE);
    const bob = await connect(hub, register, BOB);
    const anonymous = await connect(hub, register);
    open.connections.push(alice, bob, anonymous);
    const uri = 'braiins:///account/miners';

    expect(text(await alice.client.readResource({ uri }))).toEqual({ owner: 'alice' });
    expect(text(await bob.client.readResource({ uri }))).toEqual({ owner: 'bob' });
    expect(text(await alice.client.readResource({ uri }))).toEqual({ owner: 'alice' });
    expect(text(await bob.client.readResource({ uri }))).toEqual({ owner: 'bob' });
    expect(text(await anonymous.client.readResource({ uri }))).toEqual({ owner: 'anonymous' });
    expect(text(await anonymous.client.readResource({ uri }))).toEqual({ owner: 'anonymous' });

    expect(reads).toEqual(['alice', 'bob', 'anonymous', 'anonymous']);
    expect(sets).toHaveLength(2);
    // Tokens never appear in keys: the default principal is a hash of the token.
    expect(sets.join(' ')).not.toMatch(/secret-token/);

    // resourceUpdated invalidates every principal's entry of the URI at once.
    await hub.resourceUpdated(uri);
    await alice.client.readResource({ uri });
    await bob.client.readResource({ uri });
    expect(reads.slice(4)).toEqual(['alice', 'bob']);
  });

  it('uses a custom principal function, and does not cache when it returns undefined', async () => {
    const { cache } = recordingCache();
    const hub = createMcpHub({ cache });
    open.hub = hub;
    let reads = 0;
    const register = (session: McpSession): void => {
      session.resource(
        'tenant',
        'braiins:///tenant/settings',
        {},
        async (uri, extra) => {
          reads++;
          return { contents: [{ uri: uri.href, text: String(extra.authInfo?.clientId) }] };
        },
        {
          scope: 'private',
          principal: (extra) =>
            extra.authInfo?.scopes.includes('read') ? extra.authInfo.clientId : undefined,
        },
      );
    };
    const alice = await connect(hub, register, ALICE);
    const noScope = await connect(hub, register, { ...BOB, scopes: [] });
    open.connections.push(alice, noScope);
    const uri = 'braiins:///tenant/settings';
    await alice.client.readResource({ uri });
    await alice.client.readResource({ uri });
    await noScope.client.readResource({ uri });
    await noScope.client.readResource({ uri });
    expect(reads).toBe(3);
  });

  it('refuses an unknown scope at registration', async () => {
    const hub = createMcpHub({ cache: recordingCache().cache });
    open.hub = hub;
    await expect(
      connect(hub, (session) => {
        session.resource(
          'x',
          'braiins:///x',
          {},
          async (uri) => ({ contents: [{ uri: uri.href, text: '' }] }),
          {
            scope: 'secret' as 'private',
          },
        );
      }),
    ).rejects.toMatchObject({ code: 'E_INVALID_OPTION' });
  });
});
