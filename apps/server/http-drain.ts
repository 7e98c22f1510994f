/**
 * @module Graceful close of a Node HTTP server. `server.close()` alone stops
 * accepting but lets keep-alive connections live on and take new requests;
 * here, once draining starts, every answer carries `Connection: close`, each
 * connection is closed as soon as it is idle, and whatever is still running
 * after the timeout is cut.
 */
import type { Server, ServerResponse } from 'node:http';

export interface DrainResult {
  /** Requests still unanswered at the timeout, whose connections were cut. */
  readonly cutRequests: number;
}

export interface HttpDrain {
  /** Requests being answered right now. */
  readonly inFlight: number;
  /**
   * Stops accepting connections at once, lets in-flight requests finish and
   * resolves when every HTTP connection is closed, or cuts them all after
   * `timeoutMs`. Upgraded (WebSocket) sockets are not HTTP connections any
   * more: their owner closes them. Idempotent.
   */
  drain(timeoutMs: number): Promise<DrainResult>;
}

/** Starts tracking `server`'s requests; call before it serves any. */
export function trackHttpServer(server: Server): HttpDrain {
  const responses = new Set<ServerResponse>();
  let draining: Promise<DrainResult> | undefined;

  const closeAfterwards = (response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  };

  server.on('request', (_request, response: ServerResponse) => {
    responses.add(response);
    // A request that came on a kept-alive connection while draining is answered, then its connection closes.
    if (draining !== undefined) closeAfterwards(response);
    response.once('close', () => {
      responses.delete(response);
      if (draining !== undefined) setImmediate(() => server.closeIdleConnections());
    });
  });

  return {
    get inFlight() {
      return responses.size;
    },
    drain(timeoutMs) {
      draining ??= new Promise<DrainResult>((resolve) => {
        for (const response of responses) closeAfterwards(response);
        let timer: NodeJS.Timeout | undefined;
        // Stops listening now (new connections are refused); calls back once every connection is gone.
        server.close(() => {
          clearTimeout(timer);
          resolve({ cutRequests: 0 });
        });
        server.closeIdleConnections();
        timer = setTimeout(() => {
          const cutRequests = responses.size;
          server.closeAllConnections();
          resolve({ cutRequests });
        }, timeoutMs);
        timer.unref();
      });
      return draining;
    },
  };
}
