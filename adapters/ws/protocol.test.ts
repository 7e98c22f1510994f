import { describe, expect, it } from 'vitest';
import { DomainError, type Message, type UserId, ValidationError } from '../../core/index.js';
import {
  errorFrame,
  FrameError,
  MAX_FRAME_DEPTH,
  notificationFrame,
  parseEnvelope,
  parsePayload,
} from './protocol.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
}

describe('parseEnvelope', () => {
  it('reads { type, payload } of a known type', () => {
    expect(parseEnvelope('{"type":"offer","payload":{"callId":"c","sdp":"x"}}')).toEqual({
      type: 'offer',
      payload: { callId: 'c', sdp: 'x' },
    });
  });

  it.each([
    ['{', 'INVALID_JSON'],
    ['', 'INVALID_JSON'],
    ['[]', 'VALIDATION_FAILED'],
    ['null', 'VALIDATION_FAILED'],
    ['1e999', 'VALIDATION_FAILED'],
    ['"offer"', 'VALIDATION_FAILED'],
    ['{"payload":{}}', 'VALIDATION_FAILED'],
    ['{"type":7,"payload":{}}', 'VALIDATION_FAILED'],
    ['{"type":"dance","payload":{}}', 'UNKNOWN_EVENT'],
    ['{"type":"__proto__","payload":{}}', 'UNKNOWN_EVENT'],
    ['{"type":"toString","payload":{}}', 'UNKNOWN_EVENT'],
    ['{"type":"offer"}', 'VALIDATION_FAILED'],
    ['{"type":"offer","payload":[]}', 'VALIDATION_FAILED'],
    ['{"type":"offer","payload":null}', 'VALIDATION_FAILED'],
  ])('refuses %j with %s', (text, code) => {
    expect(codeOf(() => parseEnvelope(text))).toBe(code);
  });

  it('refuses frames nested deeper than MAX_FRAME_DEPTH', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const frame = (depth: number) =>
      `{"type":"offer","payload":{"callId":"c","x":${nested(depth)}}}`;
    // The envelope and the payload are two levels.
    expect(codeOf(() => parseEnvelope(frame(MAX_FRAME_DEPTH - 2)))).toBeUndefined();
    expect(codeOf(() => parseEnvelope(frame(MAX_FRAME_DEPTH - 1)))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => parseEnvelope(frame(30_000)))).toBe('VALIDATION_FAILED');
  });

  it('names the unknown type, cut short', () => {
    const error = (() => {
      try {
        parseEnvelope(JSON.stringify({ type: 'x'.repeat(500), payload: {} }));
      } catch (e) {
        return e as FrameError;
      }
    })();
    expect(error?.frameType?.length).toBeLessThanOrEqual(65);
  });
});

describe('parsePayload', () => {
  it('passes unknown fields of call frames through, but never __proto__', () => {
    const payload = JSON.parse('{"to":"u","sdp":"s","__proto__":{"polluted":true}}');
    const parsed = parsePayload('call-user', payload);
    expect(parsed).toEqual({ to: 'u', sdp: 's' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports payload paths', () => {
    try {
      parsePayload('subscribe-presence', { userIds: ['a', 2] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FrameError);
      expect((error as FrameError).details).toEqual([
        { path: 'payload.userIds.1', message: expect.any(String) },
      ]);
    }
  });
});

describe('server frames', () => {
  it('error frames carry code, message, the refused type and validation details under payload.', () => {
    expect(errorFrame(new DomainError('NOT_IN_CALL', 'No.'), 'offer')).toEqual({
      type: 'error',
      payload: { code: 'NOT_IN_CALL', message: 'No.', type: 'offer' },
    });
    expect(errorFrame(ValidationError.at('to', 'Self.'), 'call-user').payload).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Self.',
      type: 'call-user',
      details: [{ path: 'payload.to', message: 'Self.' }],
    });
  });

  it('turns notifications into frames with ISO timestamps', () => {
    const createdAt = new Date('2026-11-24T19:09:41.123Z');
    const message = {
      id: 'm1',
      conversationId: 'c1',
      senderId: 'a',
      receiverId: 'b',
      content: 'hi',
      messageType: 'text',
      clientMessageId: null,
      createdAt,
    } as unknown as Message;
    expect(notificationFrame({ type: 'new-message', message, seq: 7, at: createdAt })).toEqual({
      type: 'new-message',
      seq: 7,
      payload: {
        _id: 'm1',
        conversationId: 'c1',
        senderId: 'a',
        receiverId: 'b',
        content: 'hi',
        messageType: 'text',
        clientMessageId: null,
        createdAt: '2026-11-24T19:09:41.123Z',
      },
    });
    expect(
      notificationFrame({
        type: 'presence-update',
        userId: 'u' as UserId,
        status: 'offline',
        lastSeen: createdAt,
      }),
    ).toEqual({
      type: 'presence-update',
      payload: { userId: 'u', status: 'offline', lastSeen: '2026-11-24T19:09:41.123Z' },
    });
    expect(notificationFrame({ type: 'prekeys-low', counts: { count: 3, kyberCount: 4 } })).toEqual(
      { type: 'prekeys-low', payload: { count: 3, kyberCount: 4 } },
    );
  });
});
