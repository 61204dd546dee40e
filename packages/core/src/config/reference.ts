/**
 * The option reference, generated from the schemas themselves: the table in
 * docs/config.md and the JSON schema editors use for config files. A test
 * keeps docs/config.md equal to renderOptionsMarkdown().
 */
import { z } from 'zod';
import { flagFor } from './flags.js';
import { unwrapSchema } from './issues.js';
import { conceptSchemas, optionsSchema, type ConceptName } from './options.js';

export interface OptionDoc {
  /** `capture.snaplen` */
  path: string;
  /** `--snaplen`, when a CLI flag sets it. */
  flag?: string;
  /** What a valid value is (the same text as the error messages). */
  expected: string;
  /** The default (undefined: none, the option is off or must be given). */
  default?: unknown;
  /** What it does, and the kernel or PF_RING field it sets. */
  description: string;
}

type Meta = { expected?: string; description?: string } | undefined;

function metaOf(s: z.core.$ZodType): Meta {
  return (s as unknown as { meta(): Meta }).meta?.();
}

/** The `expected` text of a field: the first one found through its wrappers. */
function expectedOf(field: z.core.$ZodType): string {
  let s = field;
  for (let i = 0; i < 8; i++) {
    const m = metaOf(s);
    if (m?.expected) return m.expected;
    const inner = unwrapSchema(s);
    if (inner === s) {
      const d = s._zod.def as unknown as { innerType?: z.core.$ZodType };
      if (!d.innerType) break;
      s = d.innerType;
    } else s = inner;
  }
  return '';
}

/** One entry per option, concept by concept, in schema order. */
export function optionsReference(): OptionDoc[] {
  const out: OptionDoc[] = [];
  for (const [concept, schema] of Object.entries(conceptSchemas) as [ConceptName, (typeof conceptSchemas)[ConceptName]][]) {
    const shape = schema.unwrap().shape as Record<string, z.ZodType>;
    for (const [key, field] of Object.entries(shape)) {
      const path = `${concept}.${key}`;
      const flag = flagFor(path);
      const def = field.safeParse(undefined);
      out.push({
        path,
        ...(flag ? { flag } : {}),
        expected: expectedOf(field),
        ...(def.success && def.data !== undefined ? { default: def.data } : {}),
        description: field.description ?? '',
      });
    }
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The option tables of docs/config.md (one per concept). */
export function renderOptionsMarkdown(): string {
  const byConcept = new Map<string, OptionDoc[]>();
  for (const d of optionsReference()) {
    const c = d.path.split('.')[0]!;
    byConcept.set(c, [...(byConcept.get(c) ?? []), d]);
  }
  const parts: string[] = [];
  for (const [concept, docs] of byConcept) {
    parts.push(`### ${concept}\n`);
    parts.push('| option | flag | default | valid values | what it does (kernel / PF_RING field) |');
    parts.push('|---|---|---|---|---|');
    for (const d of docs) {
      const def = d.default === undefined ? '—' : `\`${JSON.stringify(d.default)}\``;
      parts.push(`| \`${d.path}\` | ${d.flag ? `\`${d.flag}\`` : ''} | ${def} | ${cell(d.expected)} | ${cell(d.description)} |`);
    }
    parts.push('');
  }
  return parts.join('\n');
}

/**
 * A JSON Schema (draft 2020-12) of the config file, for editors:
 * `{ "$schema": "./pfwork.schema.json", ... }`.
 */
export function optionsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(optionsSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
