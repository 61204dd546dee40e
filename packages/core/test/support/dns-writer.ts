/** Builds DNS messages byte by byte for tests, with name compression like real servers do. */
export class DnsWriter {
  readonly bytes: number[] = [];
  readonly #names = new Map<string, number>();

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.u8(b[i]!);
    return this;
  }
  get length(): number {
    return this.bytes.length;
  }

  header(h: { id?: number; flags?: number; qd?: number; an?: number; ns?: number; ar?: number }): this {
    return this.u16(h.id ?? 0x1234).u16(h.flags ?? 0x0100).u16(h.qd ?? 0).u16(h.an ?? 0).u16(h.ns ?? 0).u16(h.ar ?? 0);
  }

  /** Writes a name, pointing at an earlier copy of any suffix (offsets from the message start). */
  name(name: string, compress = true): this {
    const labels = name === '.' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.#names.get(suffix);
      if (compress && at !== undefined) return this.u16(0xc000 | at);
      if (this.length < 0x3fff) this.#names.set(suffix, this.length);
      const label = new TextEncoder().encode(labels[i]!);
      this.u8(label.length).raw(label);
    }
    return this.u8(0);
  }

  question(name: string, type: number, cls = 1): this {
    return this.name(name).u16(type).u16(cls);
  }

  /** A record whose rdata is written by `rdata` (the length is filled in). */
  record(name: string, type: number, ttl: number, rdata: (w: this) => void, cls = 1): this {
    this.name(name).u16(type).u16(cls).u32(ttl);
    const lenAt = this.length;
    this.u16(0);
    rdata(this);
    const len = this.length - lenAt - 2;
    this.bytes[lenAt] = len >>> 8;
    this.bytes[lenAt + 1] = len & 0xff;
    return this;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
