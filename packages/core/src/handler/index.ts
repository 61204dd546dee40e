export * from './packet.js';
export * from './flow-record.js';
export * from './context.js';
export * from './define.js';
export * from './assert.js';
export * from './config.js';
