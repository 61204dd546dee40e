import { describe, expect, it } from 'vitest';
import {
  fromNative, invalidArgument, invalidOptions, isPfwError, PfwArgumentError, PfwError, ringBusy, ringClosed,
  ringNotEnabled, wrongSocketMode,
} from '../src/errors.js';

describe('errors', () => {
  it('factories: codes, classes and messages', () => {
    const cases: [Error & { code: string }, string, string, string][] = [
      [ringClosed('readBatch()'), 'PFW_RING_CLOSED', 'PfwError', 'readBatch(): the ring is closed; open a new one with Ring.open()'],
      [ringNotEnabled('nextBatch()'), 'PFW_RING_NOT_ENABLED', 'PfwError', 'nextBatch(): the ring is not enabled; call ring.enable() first'],
      [ringBusy(), 'PFW_RING_BUSY', 'PfwError', 'nextBatch(): another nextBatch() on this ring has not settled yet; await it first'],
      [wrongSocketMode('readBatch()', 'write'), 'PFW_WRONG_SOCKET_MODE', 'PfwError', "readBatch(): the ring's socket mode is 'write'; call setSocketMode('both') first"],
      [invalidArgument('x must be y'), 'PFW_INVALID_ARGUMENT', 'PfwArgumentError', 'x must be y'],
      [invalidOptions(['a is wrong']), 'PFW_INVALID_OPTION', 'PfwArgumentError', 'invalid ring options: a is wrong'],
      [invalidOptions(['a is wrong', 'b too']), 'PFW_INVALID_OPTION', 'PfwArgumentError', 'invalid ring options:\n- a is wrong\n- b too'],
    ];
    for (const [err, code, name, message] of cases) {
      expect({ code: err.code, name: err.name, message: err.message }).toEqual({ code, name, message });
      expect(err).toBeInstanceOf(name === 'PfwError' ? PfwError : PfwArgumentError);
      expect(isPfwError(err, code)).toBe(true);
    }
    expect(invalidOptions(['a', 'b']).problems).toEqual(['a', 'b']);
    expect(invalidArgument('x')).toBeInstanceOf(TypeError);
  });

  it('fromNative keeps code, message, errno and syscall, and the original as cause', () => {
    const raw = Object.assign(new Error('cannot open "eth9": No such device'), { code: 'PFW_NO_SUCH_DEVICE', errno: 19, syscall: 'bind' });
    const e = fromNative(raw) as PfwError;
    expect(e).toBeInstanceOf(PfwError);
    expect([e.code, e.message, e.errno, e.syscall, e.cause]).toEqual(['PFW_NO_SUCH_DEVICE', raw.message, 19, 'bind', raw]);
    const bad = fromNative(Object.assign(new TypeError('setBpf: x'), { code: 'PFW_INVALID_ARGUMENT' }));
    expect(bad).toBeInstanceOf(PfwArgumentError);
    // without errno/syscall, none are set (not even as undefined)
    expect(Object.keys(fromNative(Object.assign(new Error('m'), { code: 'PFW_X' })) as object)).not.toContain('errno');
  });

  it('fromNative passes through what is not a coded error', () => {
    const plain = new Error('bug');
    expect(fromNative(plain)).toBe(plain);
    expect(fromNative('text')).toBe('text');
    const already = ringBusy();
    expect(fromNative(already)).toBe(already);
  });

  it('isPfwError', () => {
    expect(isPfwError(ringBusy())).toBe(true);
    expect(isPfwError(ringBusy(), 'PFW_RING_CLOSED')).toBe(false);
    expect(isPfwError(new Error('x'))).toBe(false);
    expect(isPfwError({ code: 'PFW_X' })).toBe(false);
  });
});
