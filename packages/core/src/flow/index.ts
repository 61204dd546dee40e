export * from './flow-record.js';
export * from './format.js';
