/**
 * PF_RING: detection and the `auto` backend choice. The ring itself is a Ring
 * with backend 'pfring' (ring.ts; its PF_RING-specific rules are in options.ts).
 *
 * libpfring is loaded with dlopen at run time (cpp/pfring_loader.cc), so this
 * module works where PF_RING is absent: it reports that, word for word.
 * Status of the backend (what was tested against real PF_RING: nothing here)
 * is in docs/pfring.md.
 */
import { loadNative } from './loader.js';

/** Environment variable naming the libpfring file to load (only that file is then tried). */
export const PFRING_LIBRARY_ENV = 'PFWORK_PFRING_LIBRARY';
/** Present when the pf_ring kernel module is loaded; its "PF_RING Version" line gives the version. */
export const PFRING_INFO_PATH = '/proc/net/pf_ring/info';
/** PF_RING's MAX_CLUSTER_QUEUES: at most this many rings in one cluster, queue ids 0..63. */
export const PFRING_MAX_CLUSTER_QUEUES = 64;

export interface PfringProbeOptions {
  /** Load exactly this file instead of PFWORK_PFRING_LIBRARY / the standard paths. */
  library?: string;
  /** Read this instead of /proc/net/pf_ring/info (tests). */
  infoPath?: string;
}

export interface PfringProbe {
  module: {
    /** The info file exists: the pf_ring kernel module is loaded. */
    present: boolean;
    path: string;
    /** "8.9.0", '' when unknown or absent. */
    version: string;
  };
  library: {
    loaded: boolean;
    /** The path that loaded. */
    path?: string;
    /** From pfring_version_noring(), '' when the library lacks it. */
    version?: string;
    /** pfring_set_cluster_consumer() exists (PF_RING >= 8.7): fixed queue per worker. */
    clusterConsumer?: boolean;
    /** Why it did not load: PFW_PFRING_ABSENT (every path tried) or PFW_PFRING_VERSION. */
    error?: { code: string; message: string };
  };
}

/**
 * Looks for PF_RING without opening anything: reads /proc/net/pf_ring/info and
 * loads libpfring (dlopen; libpcap first with RTLD_GLOBAL). Never throws for an
 * absent PF_RING; the load error is in `library.error`.
 *
 * @example
 *   const p = probePfring();
 *   if (!p.library.loaded) console.error(p.library.error!.message);
 */
export function probePfring(options: PfringProbeOptions = {}): PfringProbe {
  return loadNative().pfringProbe(options) as PfringProbe;
}

export interface LiveBackendChoice {
  backend: 'pfring' | 'afpacket';
  /** One line for the log, e.g. "afpacket: PF_RING is not loaded (/proc/net/pf_ring/info does not exist)". */
  reason: string;
}

/**
 * What `backend: 'auto'` picks for live capture: pfring when
 * /proc/net/pf_ring/info exists and libpfring loads, afpacket otherwise, with
 * the reason. The same native function decides when a Ring opens.
 */
export function chooseLiveBackend(options: PfringProbeOptions = {}): LiveBackendChoice {
  return loadNative().pfringAutoChoice(options) as LiveBackendChoice;
}

/**
 * The load error of a probe as a thrown-style Error (code PFW_PFRING_ABSENT or
 * PFW_PFRING_VERSION), or null when the library loaded.
 */
export function pfringLoadError(probe: PfringProbe): (Error & { code: string }) | null {
  const e = probe.library.error;
  if (!e) return null;
  return Object.assign(new Error(e.message), { code: e.code });
}

/** Every path the loader tries, in order (`envOverride` = a PFWORK_PFRING_LIBRARY value). */
export function pfringCandidatePaths(envOverride?: string): string[] {
  return loadNative().pfringCandidatePaths(envOverride ?? '') as string[];
}

/** The version in the text of /proc/net/pf_ring/info ("PF_RING Version : 8.9.0 (...)"), '' if none. */
export function parsePfringInfoVersion(text: string): string {
  return loadNative().pfringParseInfoVersion(text) as string;
}
