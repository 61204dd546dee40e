// Turns the NDJSON of a `pfwork start --flows --handler examples/top-talkers`
// run into a summary a person can read. The raw records stay in the file.
import { readFileSync } from 'node:fs';

const [file, capture] = process.argv.slice(2);
const records = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const flows = records.filter((r) => r.type === 'flow');
const report = records.find((r) => r.type === 'report');
const workers = records.filter((r) => r.type === 'stats' && r.scope === 'worker');
const total = records.find((r) => r.type === 'stats' && r.scope === 'total');

const pad = (s, n) => String(s).padEnd(n);
const num = (n, w = 9) => String(n).padStart(w);
const count = (xs, key) => Object.entries(xs.reduce((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {}))
  .sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');

const out = [];
out.push('', `pfwork demo: ${total.received} packets from ${capture}, ${total.workers} workers, per-flow cluster`);
out.push(`  dropped ${total.dropped}, handler errors ${total.handlerErrors}, restarts ${total.restarts}`);
for (const w of workers) {
  const mine = flows.filter((f) => f.worker === w.worker).length;
  out.push(`  worker ${w.worker}: ${num(w.received, 6)} packets ${num(w.bytes, 9)} bytes ${num(mine, 5)} flows`);
}
out.push('', `Top talkers by ${report.report.by} (each worker counted its own flows; merge() added them up):`);
out.push(`  ${pad('address', 22)}${num('bytes')}${num('packets')}`);
for (const t of report.report.talkers) out.push(`  ${pad(t.addr, 22)}${num(t.bytes)}${num(t.packets)}`);
out.push('', `Flows: ${flows.length} (${count(flows, (f) => f.proto)})`);
out.push(`  ended by: ${count(flows, (f) => f.end_reason)}`);
out.push('  largest:');
const ep = (h, p) => (h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`);
for (const f of [...flows].sort((a, b) => b.orig_ip_bytes + b.resp_ip_bytes - a.orig_ip_bytes - a.resp_ip_bytes).slice(0, 5)) {
  out.push(`    ${pad(f.proto, 5)}${pad(`${ep(f['id.orig_h'], f['id.orig_p'])} -> ${ep(f['id.resp_h'], f['id.resp_p'])}`, 50)}` +
    `${num(`${f.orig_pkts}/${f.resp_pkts}`, 8)} pkts ${num(`${f.orig_ip_bytes}/${f.resp_ip_bytes}`, 12)} IP bytes  ${pad(f.history || '-', 9)} ${f.end_reason} (worker ${f.worker})`);
}
out.push('', `Every record (NDJSON, flow records use Zeek conn.log names): ${file}`, '');
process.stdout.write(out.join('\n'));
