export * from './frame.js';
export * from './pcap-writer.js';
