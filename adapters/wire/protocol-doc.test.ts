import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../ws/hub.js';
import { MAX_FRAME_DEPTH, parsePayload } from '../ws/protocol.js';
import {
  CLIENT_FRAME_SCHEMAS,
  type ClientFrameType,
  SERVER_FRAME_SCHEMAS,
  type ServerFrameType,
} from './frame-schemas.js';
import {
  asyncApiDocument,
  CLIENT_FRAME_DOCS,
  DOCUMENTED_MAX_FRAME_DEPTH,
  SERVER_FRAME_DOCS,
  WS_CLOSE_CODES,
  websocketExtension,
} from './protocol-doc.js';
import { MessageResponse } from './schemas.js';

const clientTypes = Object.keys(CLIENT_FRAME_SCHEMAS) as ClientFrameType[];
const serverTypes = Object.keys(SERVER_FRAME_SCHEMAS) as ServerFrameType[];

describe('the documented WebSocket frames', () => {
  it('give every client frame an example the server accepts', () => {
    for (const type of clientTypes) {
      expect(() => parsePayload(type, CLIENT_FRAME_DOCS[type].example), type).not.toThrow();
    }
  });

  it('give every server frame an example its own schema accepts', () => {
    for (const type of serverTypes) {
      const result = v.safeParse(SERVER_FRAME_SCHEMAS[type], SERVER_FRAME_DOCS[type].example);
      expect(result.issues, type).toBeUndefined();
    }
  });

  it('state the depth limit the hub enforces', () => {
    expect(DOCUMENTED_MAX_FRAME_DEPTH).toBe(MAX_FRAME_DEPTH);
  });

  it('describe new-message with the fields of the HTTP message', () => {
    const options = { target: 'draft-2020-12', errorMode: 'ignore' } as const;
    const http = toJsonSchema(MessageResponse, options);
    const ws = toJsonSchema(SERVER_FRAME_SCHEMAS['new-message'], options);
    expect(Object.keys(ws.properties ?? {})).toEqual(Object.keys(http.properties ?? {}));
    expect(ws.required).toEqual(http.required);
  });

  it('describe every close code the hub uses', () => {
    for (const code of Object.values(CLOSE_CODES)) {
      expect(Object.keys(WS_CLOSE_CODES)).toContain(String(code));
    }
  });
});

describe('x-websocket', () => {
  const extension = websocketExtension();

  it('carries every frame both ways with its payload schema, an example and its error codes', () => {
    expect(Object.keys(extension.clientFrames)).toEqual(clientTypes);
    expect(Object.keys(extension.serverFrames)).toEqual(serverTypes);
    expect(extension.clientFrames['call-user']).toMatchObject({
      payload: { type: 'object', required: ['to'] },
      example: { type: 'call-user', payload: { to: expect.any(String) } },
    });
    expect(extension.clientFrames['call-user']?.errorCodes).toEqual(
      expect.arrayContaining(['USER_NOT_FOUND', 'ALREADY_IN_CALL', 'CALL_EXISTS']),
    );
    expect(extension.clientFrames.offer?.errorCodes).toContain('NOT_IN_CALL');
    expect(extension.serverFrames['call-ended']?.payload).toMatchObject({
      required: ['callId', 'reason'],
      properties: { reason: { enum: expect.arrayContaining(['hangup', 'glare', 'timeout']) } },
    });
  });

  it('lists every error code a frame can be answered with, SERVICE_UNAVAILABLE and INTERNAL included', () => {
    for (const code of ['SERVICE_UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED', 'NOT_IN_CALL']) {
      expect(Object.keys(extension.errorCodes)).toContain(code);
    }
    for (const frame of Object.values(extension.clientFrames)) {
      expect(frame.errorCodes).toEqual(expect.arrayContaining(['SERVICE_UNAVAILABLE', 'INTERNAL']));
    }
  });
});

describe('the AsyncAPI document', () => {
  const document = asyncApiDocument('1.2.3');

  /** The value a local `$ref` points to. */
  function resolve(ref: string): unknown {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>(
        (node, key) => (node as Record<string, unknown> | undefined)?.[key],
        document,
      );
  }

  it('is AsyncAPI 3.0 with one message and one operation per frame and direction', () => {
    expect(document).toMatchObject({ asyncapi: '3.0.0', info: { version: '1.2.3' } });
    const operations = Object.values(document.operations) as { action: string }[];
    expect(operations.filter((o) => o.action === 'receive')).toHaveLength(clientTypes.length);
    expect(operations.filter((o) => o.action === 'send')).toHaveLength(serverTypes.length);
  });

  it('resolves every $ref', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const match of refs) {
      const ref = match.slice('"$ref":"'.length, -1);
      expect(resolve(ref), ref).toBeDefined();
    }
  });

  it('describes each message as the { type, payload } envelope with the frame schema', () => {
    const message = resolve('#/components/messages/client-call-user') as {
      name: string;
      payload: { properties: { type: unknown; payload: { required: string[] } } };
    };
    expect(message.name).toBe('call-user');
    expect(message.payload.properties.type).toEqual({ const: 'call-user' });
    expect(message.payload.properties.payload.required).toEqual(['to']);
  });
});
