/**
 * @pfwork/core: configuration schemas, the handler API, flow records and
 * packet decoders. No process or socket code; never imports @pfwork/native.
 */
export * from './config/index.js';
export * from './handler/index.js';
export * from './decode/index.js';
export * from './flow/index.js';
