export type * from './types.js';
export * from './cluster.js';
export * from './locate.js';
export * from './flows.js';
