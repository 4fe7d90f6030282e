// Live latency: server publish → update seen, on one page, for three clients at once (see
// live-latency.html). An external module because the server's CSP forbids inline scripts.
import init, { LiveProbe } from '/pkg/vantage_embed.js';

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get('token');
const alertId = params.get('alert');
const dashboardId = params.get('dashboard') ?? 'healthco-ai-quality';

await init();

// seq → performance.now() when each client had the message.
const seen = { oursWs: new Map(), oursSse: new Map(), plain: new Map() };
// seqs of our alert's messages, in order, as the plain client saw them.
const ourSeqs = [];

const probeCallback = (side) => (kind, seq) => {
  if (kind === 'alert' && !seen[side].has(seq)) seen[side].set(seq, performance.now());
};
const probes = [
  new LiveProbe(location.origin, token, dashboardId, 'websocket', probeCallback('oursWs')),
  new LiveProbe(location.origin, token, dashboardId, 'sse', probeCallback('oursSse')),
];

// The peer: the few lines a host page would write against the contract by hand.
const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/live/ws`);
socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token, channels: [], since: null }));
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.kind !== 'alert') return;
  seen.plain.set(message.seq, performance.now());
  if (message.data?.id === alertId) ourSeqs.push(message.seq);
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, condition, ms = 10000) {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

async function publish() {
  const before = ourSeqs.length;
  const sent = performance.now();
  const response = await fetch(`/api/v1/alerts/${encodeURIComponent(alertId)}/acknowledge`, {
    method: 'POST', headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`acknowledge: HTTP ${response.status}`);
  const answered = performance.now();
  await until('the plain client to see the publish', () => ourSeqs.length > before);
  const seq = ourSeqs[ourSeqs.length - 1];
  await until(`our clients to apply seq ${seq}`,
    () => seen.oursWs.has(seq) && seen.oursSse.has(seq));
  return {
    roundTrip: answered - sent,
    oursWs: seen.oursWs.get(seq) - sent,
    oursSse: seen.oursSse.get(seq) - sent,
    plain: seen.plain.get(seq) - sent,
  };
}

window.bench = {
  async live(n) {
    await until('all three clients to connect', () => socket.readyState === WebSocket.OPEN
      && probes.every((p) => p.status() === 'open'), 30000);
    for (let i = 0; i < 5; i++) await publish(); // warm-up: connections, JIT, SQLite pages
    const samples = { oursWs: [], oursSse: [], plain: [], roundTrip: [] };
    for (let i = 0; i < n; i++) {
      const r = await publish();
      for (const k of Object.keys(samples)) samples[k].push(r[k]);
      await sleep(20 + Math.random() * 30);
    }
    return samples;
  },
};
document.getElementById('status').textContent = 'ready';
window.benchReady = true;
