import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIceServerSource, turnRestCredential } from './turn-credentials.js';

const NOW = new Date('2026-03-01T12:00:00.500Z');
const NOW_SEC = Math.floor(NOW.getTime() / 1000);

describe('turnRestCredential', () => {
  it('matches the coturn use-auth-secret scheme', () => {
    const { username, credential } = turnRestCredential('s3cret', 'user-1', 1_700_000_000);
    expect(username).toBe('1700000000:user-1');
    expect(credential).toBe(
      createHmac('sha1', 's3cret').update('1700000000:user-1').digest('base64'),
    );
  });
});

describe('createIceServerSource', () => {
  const base = { stunUrls: [], turnUrls: [], turnSecret: null, ttlSec: 600 };

  it('lists STUN, then TURN with a credential expiring ttl seconds from now', () => {
    const source = createIceServerSource({
      stunUrls: ['stun:stun.example.org:3478'],
      turnUrls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
      turnSecret: 'shared',
      ttlSec: 600,
    });
    const username = `${NOW_SEC + 600}:u1`;
    expect(source('u1', NOW)).toEqual({
      iceServers: [
        { urls: ['stun:stun.example.org:3478'] },
        {
          urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
          username,
          credential: createHmac('sha1', 'shared').update(username).digest('base64'),
        },
      ],
      ttl: 600,
    });
  });

  it('leaves out what is not configured', () => {
    expect(createIceServerSource(base)('u1', NOW)).toEqual({ iceServers: [], ttl: 600 });
    expect(
      createIceServerSource({ ...base, turnUrls: ['turn:t.example.org'] })('u1', NOW).iceServers,
    ).toEqual([]);
    const onlyTurn = createIceServerSource({
      ...base,
      turnUrls: ['turn:t.example.org'],
      turnSecret: 'x',
    })('u1', NOW);
    expect(onlyTurn.iceServers).toHaveLength(1);
    expect(onlyTurn.iceServers[0]?.urls).toEqual(['turn:t.example.org']);
  });
});
