/**
 * @module A two-terminal call against a running server: one terminal answers,
 * the other calls. Each signs a user in (registering it the first time),
 * connects the WebSocket, and the two exchange call-user → call-accepted →
 * offer / answer / ice-candidate → call-ended, then print their call history.
 * The caller exits after its call; the answering side keeps waiting for the
 * next one until Ctrl-C. The SDP and candidates are placeholders: this shows
 * the signaling, not media. Every frame is documented in docs/API.md.
 *
 * Usage (Node 20+, from the repository root, with `npm start` running):
 *
 *   # terminal 1: Alice waits for a call
 *   node examples/two-terminals-call.mjs answer --phone +15550100001 --name Alice
 *
 *   # terminal 2: Bob calls Alice by her phone number
 *   node examples/two-terminals-call.mjs call --phone +15550100002 --name Bob --to +15550100001
 *
 * Options: --password (default "correct horse battery"), --seconds (how long
 * the caller stays in the call, default 3), --video (call with video).
 * The server is BASE_URL (default http://127.0.0.1:3000). It uses the client
 * SDK (`my-calls-backend/sdk`, sdk/ compiled by `npm start` into dist/sdk/),
 * with `ws` as its WebSocket.
 */
import process from 'node:process';
import { parseArgs } from 'node:util';
import { MyCallsClient } from 'my-calls-backend/sdk';
import WebSocket from 'ws';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    phone: { type: 'string' },
    name: { type: 'string' },
    password: { type: 'string', default: 'correct horse battery' },
    to: { type: 'string' },
    seconds: { type: 'string', default: '3' },
    video: { type: 'boolean', default: false },
  },
});
const mode = positionals[0];
if ((mode !== 'call' && mode !== 'answer') || !values.phone || (mode === 'call' && !values.to)) {
  console.error(
    'usage: two-terminals-call.mjs answer --phone <E.164> [--name <name>]\n' +
      '       two-terminals-call.mjs call --phone <E.164> [--name <name>] --to <E.164> [--seconds 3] [--video]',
  );
  process.exit(2);
}

/** Prints one line and exits: this is a demo, a stack trace helps nobody. */
function fail(message) {
  console.error(message);
  process.exit(1);
}

const client = new MyCallsClient({ baseUrl: BASE_URL, WebSocket });
const { api, socket } = client;

let session;
try {
  session = await client.signInOrUp({
    phoneNumber: values.phone,
    password: values.password,
    displayName: values.name ?? values.phone,
  });
} catch (error) {
  if (error.code === 'NETWORK') {
    fail(
      `cannot reach the server at ${BASE_URL}: is \`npm start\` running? (set BASE_URL for another address)`,
    );
  }
  if (error.code === 'PHONE_TAKEN') {
    fail(
      `${values.phone} is registered with another password: pass it with --password, or use another --phone`,
    );
  }
  fail(`cannot sign in: ${error.message}`);
}
console.log(`signed in as ${session.displayName} (${session.userId})`);

let callee;
if (mode === 'call') {
  const [found] = await api
    .lookup([values.to])
    .catch((error) => fail(`cannot look up ${values.to}: ${error.message}`));
  if (found === undefined)
    fail(`nobody has registered ${values.to} yet: start the answering side first`);
  callee = found;
}

const send = (type, payload) => {
  console.log(`→ ${type} ${JSON.stringify(payload)}`);
  socket.send(type, payload);
};

async function printHistory() {
  const history = await api
    .calls({ limit: 5 })
    .catch((error) => fail(`cannot read the call history: ${error.message}`));
  console.log('\ncall history (newest first):');
  for (const call of history) {
    console.log(
      `  ${call._id}  ${call.status}/${call.endReason ?? '-'}  ${call.media}  ` +
        `started ${call.startedAt}  duration ${call.durationSec ?? '-'} s`,
    );
  }
}

/** The caller is done after its one call; the answering side waits for the next. */
async function callOver(code) {
  await printHistory();
  if (mode === 'answer') {
    candidatesReceived = 0;
    console.log('\nwaiting for a call… (Ctrl-C to stop)');
    return;
  }
  client.close();
  process.exit(code);
}

process.on('SIGINT', () => {
  client.close();
  process.exit(0);
});

let candidatesReceived = 0;
socket.onFrame(({ type, payload }) => console.log(`← ${type} ${JSON.stringify(payload)}`));
socket.on('ready', () => {
  if (mode === 'call')
    send('call-user', { to: callee._id, media: values.video ? 'video' : 'audio' });
  else console.log('waiting for a call… (Ctrl-C to stop)');
});
// The answering side picks up at once.
socket.on('call-user', ({ callId }) => send('call-accepted', { callId }));
socket.on('call-accepted', ({ callId }) => {
  send('offer', { callId, sdp: 'v=0 (placeholder offer)' });
  send('ice-candidate', { callId, candidate: 'candidate:1 (caller)' });
});
socket.on('offer', ({ callId }) => {
  send('answer', { callId, sdp: 'v=0 (placeholder answer)' });
  send('ice-candidate', { callId, candidate: 'candidate:1 (callee)' });
});
socket.on('ice-candidate', ({ callId }) => {
  candidatesReceived += 1;
  if (mode === 'call' && candidatesReceived === 1) {
    console.log(`in the call; hanging up in ${values.seconds} s`);
    setTimeout(() => {
      send('call-ended', { callId });
      setTimeout(() => void callOver(0), 200);
    }, Number(values.seconds) * 1000);
  }
});
socket.on('call-ended', () => void callOver(0));
socket.on('call-rejected', () => void callOver(1));
socket.on('call-unavailable', () => void callOver(1));
socket.on('error', () => {
  if (mode === 'call') void callOver(1);
});
// The SDK reconnects by itself after a lost connection; a session that ended cannot.
socket.onState((state) => {
  if (state === 'reconnecting') console.error('connection lost: reconnecting…');
  if (state === 'unauthorized') fail('the server ended this session: sign in again');
});
socket.connect();
