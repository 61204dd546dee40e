/** The option reference: generated from the schemas, and docs/config.md kept equal to it. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/pcaps.js';
import { checkOptions, optionsJsonSchema, optionsReference, renderOptionsMarkdown } from '../src/index.js';

const DOC = path.join(repoRoot, 'docs/config.md');
const BEGIN = '<!-- options:begin -->\n';
const END = '\n<!-- options:end -->';

describe('optionsReference', () => {
  it('documents every option with what it expects and what it sets', () => {
    const ref = optionsReference();
    expect(ref.length).toBe(41);
    for (const d of ref) {
      expect(d.description.length, d.path).toBeGreaterThan(20);
      expect(d.expected.length, d.path).toBeGreaterThan(3);
    }
    expect(ref.find((d) => d.path === 'capture.blockSize')).toEqual({
      path: 'capture.blockSize',
      expected: 'an integer from 1 to 1073741824 (bytes per ring block)',
      default: 1048576,
      description: 'tpacket_req3.tp_block_size: bytes per ring block (a power of two, a multiple of the page size). A block holds several packets; one batch is one block.',
    });
    expect(ref.find((d) => d.path === 'workers.count')).toMatchObject({ flag: '--workers', default: 'auto', expected: 'a positive integer or "auto" (at most 256)' });
    expect(ref.find((d) => d.path === 'capture.interface')).not.toHaveProperty('default');
  });

  it('each documented default is what resolveOptions fills in', () => {
    const r = checkOptions({ capture: { read: 'x.pcap' } }, { cpuCount: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const d of optionsReference()) {
      if (d.default === undefined || d.path === 'workers.count') continue;
      const [concept, key] = d.path.split('.') as [string, string];
      expect((r.options as unknown as Record<string, Record<string, unknown>>)[concept]![key], d.path).toEqual(d.default);
    }
  });

  it('docs/config.md holds the generated tables (PFW_UPDATE_DOCS=1 rewrites them)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    expect(a, 'docs/config.md has the options markers').toBeGreaterThan(0);
    const current = doc.slice(a + BEGIN.length, b);
    const generated = renderOptionsMarkdown().trimEnd();
    if (process.env.PFW_UPDATE_DOCS === '1' && current !== generated) {
      writeFileSync(DOC, doc.slice(0, a + BEGIN.length) + generated + doc.slice(b));
      return;
    }
    expect(current).toBe(generated);
  });
});

describe('optionsJsonSchema', () => {
  it('describes the config file: strict objects, defaults and descriptions', () => {
    const s = optionsJsonSchema() as { additionalProperties: boolean; properties: Record<string, { additionalProperties: boolean; properties: Record<string, Record<string, unknown>> }> };
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties)).toEqual(['$schema', 'capture', 'cluster', 'workers', 'supervision', 'output', 'flows', 'handler']);
    expect(s.properties.capture!.additionalProperties).toBe(false);
    expect(s.properties.capture!.properties.snaplen).toMatchObject({ type: 'integer', minimum: 1, maximum: 262144, default: 262144 });
    expect(s.properties.cluster!.properties.type!.enum).toEqual(['per-flow', 'round-robin', 'per-flow-2-tuple', 'per-flow-4-tuple', 'per-flow-5-tuple', 'per-flow-tcp-5-tuple']);
  });

  it('a config file may name its schema', () => {
    expect(checkOptions({ $schema: './pfwork.schema.json', capture: { read: 'x' } }, { cpuCount: 1 }).ok).toBe(true);
  });
});
