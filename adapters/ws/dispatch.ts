/**
 * @module Client frames, from the socket to their handler: the frame budget
 * decides whether a frame joins its connection's queue, and the queue hands
 * each text frame to the handler registry (handlers.ts) in arrival order. A
 * refusal — a bad envelope, a payload its schema rejects, a `DomainError`
 * from the use case — becomes an `error` frame; anything else is logged and
 * answered `INTERNAL`.
 */
import type { RawData, WebSocket } from 'ws';
import { DomainError, isDomainError } from '../../core/index.js';
import type { Connection, HubSocket, Step } from './connection.js';
import type { FrameHandler } from './handlers.js';
import type { ClientFrameType } from './protocol.js';
import {
  CLOSE_CODES,
  type ClientEnvelope,
  errorFrame,
  FrameError,
  parseEnvelope,
} from './protocol.js';

/** The `message` listener every socket shares: a client frame joins its connection's queue. */
export function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const connection = (this as HubSocket).connection;
  if (connection.closing) return;
  const verdict = connection.budget?.take(performance.now()) ?? 'accept';
  if (verdict === 'close') {
    connection.shut(CLOSE_CODES.policyViolation, 'Too many frames.');
    return;
  }
  // With the default binaryType a message is one Buffer, fragments already joined.
  connection.enqueue(
    verdict === 'refuse' ? refuseOverBudget : isBinary ? refuseBinary : (data as Buffer),
  );
}

/** Hands a text frame to its handler; a refusal becomes an `error` frame. */
export function createFrameDispatch(handlers: ReadonlyMap<ClientFrameType, FrameHandler>) {
  return function handleFrame(connection: Connection, data: Buffer): Promise<void> | undefined {
    let envelope: ClientEnvelope;
    try {
      envelope = parseEnvelope(data.toString());
    } catch (error) {
      refuse(connection, error, undefined);
      return undefined;
    }
    const { type, payload } = envelope;
    try {
      // parseEnvelope lets only types with a handler through (UNKNOWN_EVENT otherwise).
      const handler = handlers.get(type)!;
      return handler(connection, payload).catch((error: unknown) =>
        refuse(connection, error, type),
      );
    } catch (error) {
      // The payload's validation throws before the handler's promise exists.
      refuse(connection, error, type);
      return undefined;
    }
  };
}

function refuse(connection: Connection, error: unknown, type: string | undefined): void {
  if (isDomainError(error)) {
    connection.send(errorFrame(error, type));
    return;
  }
  connection.host.logger.error(
    `WebSocket frame ${type ?? '(unparsed)'} failed on ${connection.connectionId}`,
    error,
  );
  connection.send(
    errorFrame(new DomainError('INTERNAL', 'Something went wrong on our side.'), type),
  );
}

const refuseBinary: Step = (connection) =>
  refuse(
    connection,
    new FrameError(
      'INVALID_JSON',
      'Frames must be JSON text frames; binary frames are not accepted.',
    ),
    undefined,
  );

const refuseOverBudget: Step = (connection) =>
  refuse(connection, new DomainError('RATE_LIMITED', 'Too many frames; slow down.'), undefined);
