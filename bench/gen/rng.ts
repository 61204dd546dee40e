/**
 * A small seeded PRNG (sfc32: Chris Doty-Humphrey's Small Fast Counter) so the
 * same seed gives the same capture byte for byte on every machine. Math.random
 * is neither seedable nor reproducible across runs.
 */
export interface Rng {
  /** Uniform u32. */
  u32(): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
}

/** Makes a generator from a 32-bit seed (any integer; only the low 32 bits count). */
export function makeRng(seed: number): Rng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // the first outputs of sfc32 are correlated with the seed: discard them
  for (let i = 0; i < 15; i++) u32();
  return {
    u32,
    float: () => u32() / 4294967296,
    below: (n) => Math.floor((u32() / 4294967296) * n),
  };
}
