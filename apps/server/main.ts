/**
 * @module The process entry point: reads `.env` when present, starts the
 * server, and shuts down gracefully on SIGTERM and SIGINT: stop accepting,
 * close WebSockets with 1001, let in-flight requests finish (at most
 * SHUTDOWN_TIMEOUT seconds), close the stores, exit 0. A second signal
 * exits at once with 1.
 */
import { existsSync } from 'node:fs';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger, wantsPrettyLogs } from './logger.js';
import { describeStartFailure } from './start-failure.js';
import { type RunningServer, startServer } from './start-server.js';

/** Beyond SHUTDOWN_TIMEOUT, how long closing sockets and stores may take before the process gives up. */
const SHUTDOWN_SLACK_MS = 5_000;

if (existsSync('.env')) process.loadEnvFile('.env');

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  // No logger without a configuration: the problems go to stderr as they are.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

const logger = createLogger({
  level: config.logLevel,
  pretty: wantsPrettyLogs(config.nodeEnv, process.stdout.isTTY),
});

let server: RunningServer;
try {
  server = await startServer({ config, logger });
} catch (error) {
  // A start-up failure with a known cause (a store out of reach, a port in
  // use) is one plain line on stderr, like a configuration error: the
  // operator has something to fix, not a stack to read. Anything else is a
  // bug and is logged with its stack.
  const line = describeStartFailure(error, config);
  if (line === null) logger.error('Cannot start', error);
  else console.error(`Cannot start: ${line}`);
  process.exit(1);
}
logger.info(`My Calls backend listening on ${server.url} — open ${pageUrl(server)} in a browser`);

/** Where a person on this machine opens the web app (localhost is a secure context: calls work). */
function pageUrl(running: RunningServer): string {
  const local = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(config.host);
  return local ? `http://localhost:${running.port}/` : `${running.url}/`;
}

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) {
    logger.warn(`${signal} received again: exiting without waiting.`);
    process.exit(1);
  }
  stopping = true;
  const started = performance.now();
  // Stops accepting synchronously: by the time this line is out, new connections are refused.
  const closed = server.close();
  const timeoutSec = config.shutdownTimeoutSec;
  logger.info(`${signal} received: shutting down (in-flight requests get up to ${timeoutSec} s).`);
  const deadline = setTimeout(
    () => {
      logger.error('Shutdown did not finish in time: exiting.');
      process.exit(1);
    },
    timeoutSec * 1000 + SHUTDOWN_SLACK_MS,
  );
  deadline.unref();
  closed.then(
    () => {
      logger.info(`Shut down in ${Math.round(performance.now() - started)} ms.`);
      process.exit(0);
    },
    (error: unknown) => {
      logger.error('Shutdown failed', error);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
