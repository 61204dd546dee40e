/**
 * The shared public captures (../shared/pcaps beside the repo, read-only) and
 * their MANIFEST.tsv. Tests that use them call `sharedPcaps()` and skip with
 * `SHARED_PCAPS_SKIP` when it returns null.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedPcapsDir = path.resolve(repoRoot, '../shared/pcaps');
export const SHARED_PCAPS_SKIP = `needs the shared captures at ${sharedPcapsDir} (absent here)`;

export interface ManifestRow {
  /** Path relative to the pcaps folder. */
  localPath: string;
  /** Absolute path. */
  file: string;
  linkType: string;
  packets: number;
  features: string[];
  damaged: boolean;
  unsupported: boolean;
}

/** Rows of MANIFEST.tsv, or null when the shared captures are absent. */
export function sharedPcaps(): ManifestRow[] | null {
  const manifest = path.join(sharedPcapsDir, 'MANIFEST.tsv');
  if (!existsSync(manifest)) return null;
  const lines = readFileSync(manifest, 'utf8').split('\n').filter((l) => l.trim());
  const header = lines[0]!.split('\t');
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    const features = (f[col('features')] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return {
      localPath: f[col('local_path')]!,
      file: path.join(sharedPcapsDir, f[col('local_path')]!),
      linkType: f[col('link_type')]!,
      packets: parseInt(f[col('packets')]!, 10),
      features,
      damaged: features.some((x) => x.startsWith('DAMAGED')),
      unsupported: features.some((x) => x.startsWith('UNSUPPORTED')),
    };
  });
}

/** Parses a `*.tshark-flows.tsv` table (comment lines start with '#'). */
export function readTsharkFlows(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const header = lines[0]!.split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i]!, v])));
}
