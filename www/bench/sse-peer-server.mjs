// Peer for the live fan-out benchmark: the plainest possible Server-Sent Events broadcaster.
//
//   node www/bench/sse-peer-server.mjs [--parent-pid PID]
//
// Node's built-in http server; every request is an SSE subscriber (path and query ignored);
// once a second it writes one envelope shaped like Vantage's metric message
// ({epoch, seq, channel, kind, data:{ts, …}}, ~ the same size) to every open response, in a loop.
// No auth, no buffering for resume, no database: whatever fan-out delay `cargo xtask bench`
// measures against it is the floor of this machine + load tool. Node has no built-in WebSocket
// server, so the peer is SSE only. Prints "listening on http://127.0.0.1:PORT"; exits when the
// parent process is gone.
import http from 'node:http';

const clients = new Set();
const server = http.createServer((req, res) => {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(': peer\n\n');
  clients.add(res);
  req.on('close', () => clients.delete(res));
});
server.keepAliveTimeout = 0;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.maxConnections = 10000;

let seq = 0;
function publish() {
  const now = Date.now();
  seq += 1;
  const data = {
    ts: now - (now % 1000), dataset: 'validations', total: 67, valid: 55, invalid: 9, unknown: 3,
    avgLatencyMs: 412.5, p95LatencyMs: 901.2, errorRate: 0.134,
    byErrorType: { HALLUCINATION: 4, CALCULATION_ERROR: 2, POLICY_VIOLATION: 1, LOGIC_INCONSISTENCY: 1, UNKNOWN: 1 },
    byIntent: { billing: 20, claims: 18, coverage: 15, scheduling: 14 },
    agentEvents: { session_start: 1, code_generated: 2 }, agentCostUsd: 0.0123,
  };
  const text = `id: 1:${seq}\ndata: ${JSON.stringify({ epoch: 1, seq, channel: 'metrics', kind: 'metric', data })}\n\n`;
  for (const res of clients) res.write(text);
}

server.listen(0, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
  setInterval(publish, 1000);
});

const i = process.argv.indexOf('--parent-pid');
if (i > 0) {
  const parent = Number(process.argv[i + 1]);
  setInterval(() => {
    try { process.kill(parent, 0); } catch { process.exit(0); }
  }, 1000).unref();
}
