/**
 * Socket frames under attack (SECURITY.md): error paths name fields from the
 * frame, whoever found the fault (schema or core).
 */
import { describe, expect, it } from 'vitest';
import { connectWs, frameOf, registerUser, useWsTestServer } from '../support/ws-client.js';

const { server } = useWsTestServer();

describe('error paths on frames', () => {
  it('start at the frame (payload.…) for schema and core errors alike', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const bob = await registerUser(server.url, 'Bob');
    const socket = await connectWs(server.url, alice.token);
    const pathsOf = async (type: string, payload: unknown) => {
      socket.send(type, payload);
      const error = await socket.waitFor(frameOf('error', { code: 'VALIDATION_FAILED' }));
      return (error.payload.details as { path: string }[]).map((detail) => detail.path);
    };
    // Found by the frame's schema.
    expect(await pathsOf('call-user', { to: 42 })).toEqual(['payload.to']);
    expect(await pathsOf('call-user', { to: bob.userId, media: 'hologram' })).toEqual([
      'payload.media',
    ]);
    expect(await pathsOf('subscribe-presence', { userIds: [] })).toEqual(['payload.userIds']);
    // Found by the core's rules.
    expect(await pathsOf('call-user', { to: alice.userId })).toEqual(['payload.to']);
    expect(await pathsOf('call-user', { to: bob.userId, callId: 'x'.repeat(65) })).toEqual([
      'payload.callId',
    ]);
    expect(await pathsOf('call-user', { to: bob.userId, callId: '' })).toEqual(['payload.callId']);
    await socket.close();
  });
});
