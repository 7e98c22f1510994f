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
 * The server is BASE_URL (default http://127.0.0.1:3000).
 */
import process from 'node:process';
import { parseArgs } from 'node:util';
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

/** Calls the JSON API; throws with the server's error code and message on a failure. */
async function api(method, path, { token, body } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(new URL(path, BASE_URL), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    fail(
      `cannot reach the server at ${BASE_URL} (${error.cause?.code ?? error.message}): is \`npm start\` running? (set BASE_URL for another address)`,
    );
  }
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(
      `${method} ${path}: ${response.status} ${json.error?.code ?? ''} ${json.error?.message ?? ''}`.trim(),
    );
    error.code = json.error?.code;
    throw error;
  }
  return json;
}

/** Logs in, or registers the phone number the first time. */
async function signIn() {
  const credentials = { phoneNumber: values.phone, password: values.password };
  try {
    return await api('POST', '/api/auth/login', { body: credentials });
  } catch (error) {
    if (error.code !== 'INVALID_CREDENTIALS') throw error;
  }
  const displayName = values.name ?? values.phone;
  try {
    return await api('POST', '/api/auth/register', { body: { ...credentials, displayName } });
  } catch (error) {
    if (error.code === 'PHONE_TAKEN') {
      fail(
        `${values.phone} is registered with another password: pass it with --password, or use another --phone`,
      );
    }
    throw error;
  }
}

let session;
try {
  session = await signIn();
} catch (error) {
  fail(`cannot sign in: ${error.message}`);
}
console.log(`signed in as ${session.displayName} (${session.userId})`);

// Find the callee before the socket opens: `ready` arrives at once, and a
// frame that comes before the message listener is attached would be lost.
let callee;
if (mode === 'call') {
  const [found] = await api('POST', '/api/users/lookup', {
    token: session.token,
    body: { phoneNumbers: [values.to] },
  }).catch((error) => fail(`cannot look up ${values.to}: ${error.message}`));
  if (found === undefined) {
    console.error(`nobody has registered ${values.to} yet: start the answering side first`);
    process.exit(1);
  }
  callee = found;
}

const url = new URL('/', BASE_URL);
url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
url.searchParams.set('token', session.token);
const socket = new WebSocket(url);
const send = (type, payload) => {
  console.log(`→ ${type} ${JSON.stringify(payload)}`);
  socket.send(JSON.stringify({ type, payload }));
};

async function printHistory() {
  const history = await api('GET', '/api/calls?limit=5', { token: session.token }).catch((error) =>
    fail(`cannot read the call history: ${error.message}`),
  );
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
  stopping = true;
  socket.close(1000);
  process.exit(code);
}

let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
  socket.close(1000);
  process.exit(0);
});

let candidatesReceived = 0;
socket.on('message', (data) => {
  const { type, payload } = JSON.parse(data.toString());
  console.log(`← ${type} ${JSON.stringify(payload)}`);
  switch (type) {
    case 'ready':
      if (mode === 'call') {
        send('call-user', { to: callee._id, media: values.video ? 'video' : 'audio' });
      } else {
        console.log('waiting for a call… (Ctrl-C to stop)');
      }
      break;
    case 'call-user':
      // The answering side picks up at once.
      send('call-accepted', { callId: payload.callId });
      break;
    case 'call-accepted':
      send('offer', { callId: payload.callId, sdp: 'v=0 (placeholder offer)' });
      send('ice-candidate', { callId: payload.callId, candidate: 'candidate:1 (caller)' });
      break;
    case 'offer':
      send('answer', { callId: payload.callId, sdp: 'v=0 (placeholder answer)' });
      send('ice-candidate', { callId: payload.callId, candidate: 'candidate:1 (callee)' });
      break;
    case 'ice-candidate':
      candidatesReceived += 1;
      if (mode === 'call' && candidatesReceived === 1) {
        console.log(`in the call; hanging up in ${values.seconds} s`);
        setTimeout(() => {
          send('call-ended', { callId: payload.callId });
          setTimeout(() => void callOver(0), 200);
        }, Number(values.seconds) * 1000);
      }
      break;
    case 'call-ended':
    case 'call-rejected':
    case 'call-unavailable':
      void callOver(type === 'call-ended' ? 0 : 1);
      break;
    case 'error':
      if (mode === 'call') void callOver(1);
      break;
  }
});
socket.on('unexpected-response', (_request, response) => {
  console.error(`the server refused the WebSocket: HTTP ${response.statusCode}`);
  process.exit(1);
});
socket.on('close', (code) => {
  if (stopping) return;
  console.error(`the server closed the socket (${code})`);
  process.exit(1);
});
socket.on('error', (error) => {
  console.error(`socket error: ${error.message}`);
  process.exit(1);
});
