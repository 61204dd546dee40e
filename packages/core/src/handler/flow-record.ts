// The flow record type lives with the flow code (packages/core/src/flow/).
export * from '../flow/flow-record.js';
