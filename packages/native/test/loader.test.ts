import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/loader.js';

describe('loader', () => {
  it('loads the addon and its exports are an object', () => {
    const addon = loadNative();
    expect(typeof addon).toBe('object');
  });
});
