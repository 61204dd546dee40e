/**
 * The dns-counter's offload module: runs in the offload pool's threads, never
 * in the capture loop. Its default export gets what ctx.offload.run() was
 * given (the UDP payload, copied) and returns a small summary of the message.
 */
import { decodeDns, dnsRcodeName, dnsTypeName } from '@pfwork/core';

export interface DnsSummary {
  ok: boolean;
  response: boolean;
  name: string;
  type: string;
  rcode: string;
  answers: number;
}

export default function parseDns(payload: Uint8Array): DnsSummary {
  const msg = decodeDns(payload, 0);
  const q = msg.questions[0];
  return {
    ok: msg.ok,
    response: msg.qr,
    name: q?.name ?? '',
    type: q ? dnsTypeName(q.type) : '',
    rcode: dnsRcodeName(msg.rcode),
    answers: msg.answers.length,
  };
}
