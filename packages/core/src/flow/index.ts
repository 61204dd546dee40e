export * from './flow-record.js';
