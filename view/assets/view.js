// netsim view: draws one run from the JSON embedded in this page. Written
// for netsim, with no library and no network access. Every string that
// comes from the trace is put in the page with textContent or as an SVG
// text node, never parsed as HTML.
"use strict";
(async function () {
  performance.mark("netsim-start");
  const D = JSON.parse(document.getElementById("netsim-data").textContent);
  const $ = (id) => document.getElementById(id);
  const SVGNS = "http://www.w3.org/2000/svg";
  const PAGE = 500; // packet table rows added per "Show more"

  // el builds an element; children that are strings become text nodes.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (k === "class") e.className = attrs[k];
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    }
    for (const c of kids) if (c !== null && c !== undefined) e.append(typeof c === "object" ? c : String(c));
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- numbers and times -------------------------------------------------
  function fmtT(ns) { return (ns / 1e9).toFixed(9) + "s"; }
  function fmtDur(ns) {
    const a = Math.abs(ns);
    if (a >= 1e9) return +(ns / 1e9).toPrecision(4) + " s";
    if (a >= 1e6) return +(ns / 1e6).toPrecision(4) + " ms";
    if (a >= 1e3) return +(ns / 1e3).toPrecision(4) + " µs";
    return Math.round(ns) + " ns";
  }
  function fmtBytes(b) {
    if (b >= 1e9) return +(b / 1e9).toPrecision(4) + " GB";
    if (b >= 1e6) return +(b / 1e6).toPrecision(4) + " MB";
    if (b >= 1e3) return +(b / 1e3).toPrecision(4) + " kB";
    return b + " B";
  }
  function fmtRate(bps) {
    if (bps >= 1e9) return +(bps / 1e9).toPrecision(4) + " Gbit/s";
    if (bps >= 1e6) return +(bps / 1e6).toPrecision(4) + " Mbit/s";
    if (bps >= 1e3) return +(bps / 1e3).toPrecision(4) + " kbit/s";
    return bps + " bit/s";
  }
  // niceTicks returns 4 to 8 round values covering [lo, hi].
  function niceTicks(lo, hi) {
    const span = hi - lo;
    if (!(span > 0)) return [lo];
    let best = null;
    for (const n of [5, 6, 4, 7, 8]) {
      const raw = span / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
      for (const m of [1, 2, 2.5, 5, 10]) {
        const step = m * p, first = Math.ceil(lo / step) * step, ticks = [];
        for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
        if (ticks.length >= 4 && ticks.length <= 8) { best = ticks; break; }
      }
      if (best) break;
    }
    return best || [lo, hi];
  }
  // timeTickLabel prints a tick in the unit its step calls for.
  function timeUnit(step) {
    if (step >= 1e8) return [1e9, "s"];
    if (step >= 1e5) return [1e6, "ms"];
    if (step >= 1e2) return [1e3, "µs"];
    return [1, "ns"];
  }
  function rateUnit(top) {
    if (top >= 1e9) return [1e9, "Gbit/s"];
    if (top >= 1e6) return [1e6, "Mbit/s"];
    if (top >= 1e3) return [1e3, "kbit/s"];
    return [1, "bit/s"];
  }
  function byteUnit(top) {
    if (top >= 1e9) return [1e9, "GB"];
    if (top >= 1e6) return [1e6, "MB"];
    if (top >= 1e3) return [1e3, "kB"];
    return [1, "B"];
  }
  // axisLabel prints a tick of a "bytes" or "ns" axis with as many digits
  // as the step between ticks needs.
  function axisLabel(kind, v, ticks) {
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    const top = Math.max(Math.abs(ticks[0]), Math.abs(ticks[ticks.length - 1]));
    return tickLabel(v, ticks, kind === "ns" ? timeUnit(step) : kind === "bps" ? rateUnit(top) : byteUnit(top));
  }
  function tickLabel(v, ticks, unit) {
    // as many decimals as the step has in this unit: 0.25 s, not 0.3 s
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    const frac = String(+(step / unit[0]).toPrecision(6)).split(".")[1] || "";
    const digits = /e/.test(frac) ? 9 : frac.length;
    return (v / unit[0]).toFixed(Math.min(digits, 9)) + " " + unit[1];
  }

  // ---- the packets: the page's compact columns (view/packets.go) ----------
  // inflate turns the base64 of the packets' gzipped columns into bytes,
  // with the browser's own DecompressionStream (no library, no network).
  // Uint8Array.fromBase64 (Chromium 140, Firefox 133, Safari 18.2) reads
  // the URL-safe alphabet itself, without the copies of the text and the
  // loop over it that atob needs. The columns are inflated as a stream:
  // inflate resolves once every column but the captured bytes (the last
  // one, about half of the inflated size, read only when a packet's
  // header is shown) is in, so that the page draws without waiting for
  // them; rest resolves once they are in too.
  async function inflate(b64) {
    let z;
    if (typeof Uint8Array.fromBase64 === "function") {
      z = Uint8Array.fromBase64(b64.trim(), { alphabet: "base64url" });
    } else {
      const bin = atob(b64.trim().replace(/-/g, "+").replace(/_/g, "/"));
      z = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) z[i] = bin.charCodeAt(i);
    }
    const reader = new Blob([z]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    let buf = new Uint8Array(1 << 16), have = 0, need = Infinity, total = -1;
    const put = (chunk) => {
      if (have + chunk.length > buf.length) {
        if (total >= 0) throw new Error("netsim view: packet columns longer than their header says");
        const nb = new Uint8Array(Math.max(have + chunk.length, 2 * buf.length));
        nb.set(buf.subarray(0, have));
        buf = nb;
      }
      buf.set(chunk, have);
      have += chunk.length;
      if (total < 0) {
        const x = columnsExtent(buf, have);
        if (x) {
          total = x.total; need = x.first;
          if (buf.length !== total && total >= have) { const nb = new Uint8Array(total); nb.set(buf.subarray(0, have)); buf = nb; }
        }
      }
    };
    for (;;) {
      if (have >= need) break;
      const { done, value } = await reader.read();
      if (done) return { raw: buf.subarray(0, have), rest: Promise.resolve() };
      put(value);
    }
    const rest = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        put(value);
      }
      if (have !== total) throw new Error("netsim view: packet columns truncated");
    })();
    return { raw: buf, rest };
  }
  // columnsExtent reads the header of the inflated columns (view/packets.go)
  // from the first have bytes of buf: total is the length of the whole,
  // first the end of the columns the page needs to draw (all but the
  // captured bytes); null until the header is in.
  function columnsExtent(buf, have) {
    const h = new Col(buf, 5, have);
    const past = () => h.pos > have;
    h.uv(); const nstr = h.uv();
    for (let i = 0; i < nstr && !past(); i++) { const l = h.uv(); h.pos += l; }
    if (past()) return null;
    const ncols = h.uv(), lens = [];
    for (let i = 0; i < ncols && !past(); i++) lens.push(Math.floor(h.uv() / 2));
    if (past() || lens.length !== ncols) return null;
    let pos = h.pos, first = h.pos;
    const names = D.columns || [];
    for (let i = 0; i < ncols; i++) {
      pos += lens[i];
      if (names[i] !== "bytes") first = pos;
    }
    return { total: pos, first };
  }
  // Col reads one column's varints; numbers stay exact up to 2^53.
  class Col {
    constructor(buf, pos, end) { this.buf = buf; this.pos = pos; this.end = end; }
    uv() {
      const buf = this.buf;
      let b = buf[this.pos++];
      if (b < 128) return b; // most values: one byte
      let r = b & 127, shift = 7;
      // up to 28 bits in integer arithmetic, beyond in doubles
      while (shift < 28) {
        b = buf[this.pos++];
        r |= (b & 127) << shift;
        if (b < 128) return r;
        shift += 7;
      }
      let mul = 268435456; // 2^28
      do { b = buf[this.pos++]; r += (b & 127) * mul; mul *= 128; } while (b >= 128);
      return r;
    }
    zz() { return unzz(this.uv()); }
    done() { return this.pos === this.end; }
  }
  // RunCol reads a column stored as (value, count) pairs of varints
  // (view/packets.go, runLengths) as if it were the values one by one.
  class RunCol {
    constructor(buf, pos, end) { this.col = new Col(buf, pos, end); this.val = 0; this.left = 0; }
    uv() {
      if (this.left === 0) { this.val = this.col.uv(); this.left = this.col.uv(); }
      this.left--;
      return this.val;
    }
    zz() { return unzz(this.uv()); }
    done() { return this.left === 0 && this.col.done(); }
  }
  function unzz(u) { return u < 2147483648 ? (u >>> 1) ^ -(u & 1) : u % 2 ? -(u + 1) / 2 : u / 2; }
  // decodePackets reads the columns into typed arrays, one slot per
  // packet, and returns one small object per packet whose fields (the
  // names the rest of the script uses) are read from them: a million
  // packets cost tens of bytes each, not a JSON object each.
  function decodePackets(raw) {
    const magic = "NSVP1";
    for (let i = 0; i < magic.length; i++) if (raw[i] !== magic.charCodeAt(i)) throw new Error("netsim view: not netsim's packet columns");
    const h = new Col(raw, magic.length, raw.length);
    const n = h.uv(), nstr = h.uv(), strs = [], dec = new TextDecoder();
    for (let i = 0; i < nstr; i++) { const l = h.uv(); strs.push(dec.decode(raw.subarray(h.pos, h.pos + l))); h.pos += l; }
    // The page's data names the columns in their order (view/packets.go,
    // packetColumns): each is taken by its name, not by a count or a
    // place written here.
    const ncols = h.uv(), names = D.columns || [];
    if (ncols !== names.length) throw new Error("netsim view: " + ncols + " packet columns, the page names " + names.length);
    const cols = [];
    const lens = [];
    for (let i = 0; i < ncols; i++) lens.push(h.uv());
    let pos = h.pos;
    for (let i = 0; i < ncols; i++) {
      const l = Math.floor(lens[i] / 2);
      cols.push(lens[i] % 2 ? new RunCol(raw, pos, pos + l) : new Col(raw, pos, pos + l));
      pos += l;
    }
    const C = {};
    names.forEach((name, i) => { C[name] = cols[i]; });
    const col = (name) => { if (!C[name]) throw new Error("netsim view: no packet column " + name); return C[name]; };
    const [cID, cT, cSrc, cDst, cConn, cBits, cSrcA, cDstA, cProto, cSPort, cDPort, cFlags, cSeq, cAck, cRSeq, cRAck,
      cWin, cWnd, cPLen, cLen, cOpts, cOptNums, cEnd, cDrop, cDropAt, cRetrans, cDup, cVia, cCapLen, cKeep, cBytes] =
      ["id", "t", "src", "dst", "conn", "bits", "srca", "dsta", "proto", "sport", "dport", "flags", "seq", "ack", "rseq", "rack",
        "win", "wnd", "plen", "len", "opts", "optnums", "end", "drop", "dropat", "retrans", "dup", "via", "caplen", "keep", "bytes"].map(col);
    const A = {
      id: new Float64Array(n), t: new Float64Array(n), s: new Int32Array(n), d: new Int32Array(n), c: new Float64Array(n),
      bits: new Uint8Array(n), sa: new Int32Array(n), da: new Int32Array(n), p: new Uint8Array(n), sp: new Uint16Array(n),
      dp: new Uint16Array(n), f: new Int32Array(n), seq: new Uint32Array(n), ack: new Uint32Array(n), rs: new Float64Array(n),
      ra: new Float64Array(n), w: new Uint16Array(n), wnd: new Float64Array(n), pl: new Int32Array(n), l: new Int32Array(n),
      o: new Int32Array(n), on: new Int32Array(n), e: new Float64Array(n), x: new Int32Array(n), xa: new Int32Array(n),
      r: new Int32Array(n), dup: new Float64Array(n), bl: new Int32Array(n), bo: new Int32Array(n), bn: new Int32Array(n),
    };
    const via = new Map();
    // slots counts the numbers in each option template.
    const slots = strs.map((s) => s.split("\x01").length - 1);
    const flows = new Map();
    let id = 0, t = 0;
    for (let i = 0; i < n; i++) {
      id += cID.zz(); t += cT.zz();
      A.id[i] = id; A.t[i] = t;
      const src = cSrc.uv() - 1;
      A.s[i] = src; A.d[i] = cDst.uv() - 1;
      const conn = cConn.uv(), bits = cBits.uv();
      A.c[i] = conn; A.bits[i] = bits;
      A.sa[i] = cSrcA.uv(); A.da[i] = cDstA.uv();
      A.p[i] = cProto.uv(); A.sp[i] = cSPort.uv(); A.dp[i] = cDPort.uv();
      A.f[i] = cFlags.uv();
      const key = conn ? conn * 4 + (bits & 3) : -1 - src;
      let fl = flows.get(key);
      if (!fl) { fl = { seq: 0, ack: 0, rs: 0, ra: 0 }; flows.set(key, fl); }
      fl.seq = (fl.seq + cSeq.zz()) >>> 0; fl.ack = (fl.ack + cAck.zz()) >>> 0;
      fl.rs += cRSeq.zz(); fl.ra += cRAck.zz();
      A.seq[i] = fl.seq; A.ack[i] = fl.ack; A.rs[i] = fl.rs; A.ra[i] = fl.ra;
      A.w[i] = cWin.uv(); A.wnd[i] = cWnd.zz(); A.pl[i] = cPLen.uv(); A.l[i] = cLen.uv();
      A.o[i] = cOpts.uv();
      const end = cEnd.uv();
      A.e[i] = end ? t + unzz(end - 1) : 0;
      A.x[i] = cDrop.uv(); A.xa[i] = cDropAt.uv(); A.r[i] = cRetrans.uv();
      const dup = cDup.uv();
      A.dup[i] = dup ? id - unzz(dup - 1) : 0;
      const nv = cVia.uv();
      if (nv) {
        const v = [];
        let vt = t;
        for (let k = 0; k < nv; k++) { const hop = cVia.uv(); vt += cVia.zz(); v.push([hop, vt]); }
        via.set(i, v);
      }
      const cl = cCapLen.uv();
      A.bo[i] = cl ? 0 : -1; // the offset is set by decodeBytes
      A.bl[i] = cl ? cl - 1 : 0;
    }
    for (const k of [cID, cT, cSrc, cDst, cConn, cBits, cSrcA, cDstA, cProto, cSPort, cDPort, cFlags, cSeq, cAck, cRSeq, cRAck,
      cWin, cWnd, cPLen, cLen, cOpts, cEnd, cDrop, cDropAt, cRetrans, cDup, cVia, cCapLen])
      if (!k.done()) throw new Error("netsim view: packet columns malformed");
    // The numbers in the options and the captured bytes are decoded when
    // first asked for (a packet shown in the table or clicked, Find), not
    // while the page opens: with a million packets they are half of the
    // decoding.
    let ON = null, rec = null;
    // decodeOptions reads every packet's option numbers, each the
    // difference from the previous packet of its flow in that place.
    function decodeOptions() {
      let nOpt = 0;
      for (let i = 0; i < n; i++) nOpt += slots[A.o[i]];
      const out = new Float64Array(nOpt), flows = new Map();
      let on = 0;
      for (let i = 0; i < n; i++) {
        const tmpl = A.o[i], ns = slots[tmpl];
        A.on[i] = on;
        if (!ns) continue;
        const key = A.c[i] ? A.c[i] * 4 + (A.bits[i] & 3) : -1 - A.s[i];
        let nums = flows.get(key);
        if (!nums) { nums = []; flows.set(key, nums); }
        for (let k = 0; k < ns; k++) {
          if (k >= nums.length) nums.push(0);
          nums[k] += cOptNums.zz();
          out[on++] = nums[k];
        }
      }
      if (!cOptNums.done()) throw new Error("netsim view: option column malformed");
      ON = out;
    }
    // decodeBytes rebuilds every capture: the sender's previous one with a
    // few runs of bytes XORed in (view/packets.go, appendRuns).
    function decodeBytes() {
      let total = 0;
      for (let i = 0; i < n; i++) if (A.bo[i] >= 0) total += (A.bn[i] = cKeep.uv());
      const out = new Uint8Array(total), prevRec = new Map();
      let rp = 0;
      for (let i = 0; i < n; i++) {
        if (A.bo[i] < 0) continue;
        const l = A.bn[i], src = A.s[i];
        let prev = prevRec.get(src);
        if (!prev) { prev = { o: 0, l: 0 }; prevRec.set(src, prev); }
        for (let k = 0, m = Math.min(l, prev.l), po = prev.o; k < m; k++) out[rp + k] = out[po + k];
        for (let k = 0; k < l;) {
          k += cBytes.uv();
          const lit = cBytes.uv();
          if (lit === 0 && k < l) throw new Error("netsim view: capture runs malformed");
          for (let j = 0; j < lit; j++, k++) out[rp + k] ^= raw[cBytes.pos++];
        }
        A.bo[i] = rp;
        prev.o = rp; prev.l = l;
        rp += l;
      }
      if (!cKeep.done() || !cBytes.done()) throw new Error("netsim view: capture columns malformed");
      rec = out;
    }
    const verdict = (v) => (v === 1 ? true : v === 2 ? false : undefined);
    const SIDES = ["", "client", "server", ""];
    // category: what the filters call the packet; 8 marks a SYN, FIN or
    // RST, which the overview always draws.
    const flagCat = strs.map((f) => (f.includes("R") ? 3 | 8 : f.includes("S") ? 1 | 8 : f.includes("F") ? 2 | 8 : 0));
    class Packet {
      constructor(i) { this.i = i; }
      get id() { return A.id[this.i]; }
      get t() { return A.t[this.i]; }
      get s() { return A.s[this.i]; }
      get d() { return A.d[this.i]; }
      get c() { return A.c[this.i]; }
      get side() { return SIDES[A.bits[this.i] & 3]; }
      get ce() { return (A.bits[this.i] & 4) !== 0; }
      get bad() { return (A.bits[this.i] & 8) !== 0; }
      get ipok() { return verdict((A.bits[this.i] >> 4) & 3); }
      get l4ok() { return verdict((A.bits[this.i] >> 6) & 3); }
      get sa() { return strs[A.sa[this.i]]; }
      get da() { return strs[A.da[this.i]]; }
      get p() { return A.p[this.i]; }
      get sp() { return A.sp[this.i]; }
      get dp() { return A.dp[this.i]; }
      get f() { return strs[A.f[this.i]]; }
      get seq() { return A.seq[this.i]; }
      get ack() { return A.ack[this.i]; }
      get rs() { return A.rs[this.i]; }
      get ra() { return A.ra[this.i]; }
      get w() { return A.w[this.i]; }
      // wnd is undefined where the page's JSON used to leave it out (0)
      get wnd() { const v = A.wnd[this.i]; return v === 0 ? undefined : v; }
      get pl() { return A.pl[this.i]; }
      get l() { return A.l[this.i]; }
      get o() {
        const tm = strs[A.o[this.i]];
        if (!slots[A.o[this.i]]) return tm;
        if (!ON) decodeOptions();
        let k = A.on[this.i];
        return tm.replace(/\x01/g, () => String(ON[k++]));
      }
      get e() { return A.e[this.i]; }
      get x() { return strs[A.x[this.i]]; }
      get xa() { return strs[A.xa[this.i]]; }
      get r() { return strs[A.r[this.i]]; }
      get dup() { return A.dup[this.i]; }
      get via() { return via.get(this.i); }
      // b is the captured bytes (headers and the first payload bytes)
      get b() {
        if (A.bo[this.i] < 0 || !bytesIn) return undefined;
        if (!rec) decodeBytes();
        const o = A.bo[this.i];
        return rec.subarray(o, o + A.bn[this.i]);
      }
      get bl() { return A.bl[this.i]; }
      // cat: 0 data or pure ACK (see category), 1 SYN, 2 FIN, 3 RST; | 8 for those
      get cat() { return A.p[this.i] === 6 ? flagCat[A.f[this.i]] : 0; }
    }
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = new Packet(i);
    // the send and fate times as typed arrays too, for the passes over
    // every packet while the page opens
    return { list: out, t: A.t, e: A.e };
  }

  // ---- the data ----------------------------------------------------------
  // performance marks say where a large page's load time goes
  // bytesIn says the captured bytes are inflated (see inflate).
  let bytesIn = false;
  const opened = await inflate(document.getElementById("netsim-packets").textContent);
  performance.mark("netsim-inflated");
  const decoded = decodePackets(opened.raw), packets = decoded.list, sentAt = decoded.t, fateAt = decoded.e;
  performance.mark("netsim-decoded");
  const hosts = D.hosts, conns = D.conns;
  const connById = new Map(conns.map((c) => [c.id, c]));
  const hostName = (i) => (i >= 0 && i < hosts.length ? hosts[i] : "?");
  let tMin = Infinity, tMax = -Infinity;
  for (let i = 0; i < sentAt.length; i++) { tMin = Math.min(tMin, sentAt[i]); tMax = Math.max(tMax, fateAt[i] || sentAt[i]); }
  for (const s of D.states) { tMin = Math.min(tMin, s.t); tMax = Math.max(tMax, s.t); }
  for (const s of D.series) for (const q of s.pts) { tMin = Math.min(tMin, q[0]); tMax = Math.max(tMax, q[0]); }
  if (!isFinite(tMin)) { tMin = D.cut.from; tMax = D.cut.to || D.cut.trace_end || tMin + 1e9; }
  if (tMax <= tMin) tMax = tMin + 1e6;
  const pad = (tMax - tMin) * 0.03;
  const whole = [Math.max(0, tMin - pad), tMax + pad];

  const S = {
    conn: conns.length === 1 ? conns[0].id : 0,
    dir: "client",
    t0: whole[0], t1: whole[1],
    sel: -1,
    find: "",
    show: { syn: true, fin: true, rst: true, data: true, ack: true, rtxOnly: false, dropOnly: false },
    routers: D.routers.length > 0,
    rows: PAGE,
  };

  function category(p) {
    switch (p.cat & 7) {
      case 3: return "rst";
      case 1: return "syn";
      case 2: return "fin";
    }
    return p.p !== 6 || p.pl > 0 ? "data" : "ack";
  }
  // icmpLabel names an ICMP message by its type and code (RFC 792, RFC
  // 1191), read from its captured bytes; without them, its length only:
  // ICMP has no ports.
  function icmpLabel(p) {
    const b = p.b, o = b ? (b[0] & 15) * 4 : 0;
    if (!b || b.length < o + 8) return "ICMP len=" + p.pl;
    const type = b[o], code = b[o + 1], u16at = (k) => (b[k] << 8) | b[k + 1];
    switch (type) {
      case 0: case 8: return "ICMP echo " + (type === 8 ? "request" : "reply") + " seq=" + u16at(o + 6) + " len=" + p.pl;
      case 3: {
        const what = ["net", "host", "protocol", "port"][code];
        return code === 4 ? "ICMP fragmentation needed, MTU " + u16at(o + 6)
          : "ICMP " + (what ? what + " unreachable" : "destination unreachable, code " + code);
      }
      case 11: return "ICMP time exceeded" + (code === 0 ? " (TTL)" : "");
    }
    return "ICMP type " + type + " code " + code;
  }
  function label(p) {
    if (p.p === 1) return icmpLabel(p);
    if (p.p !== 6) return (p.p === 17 ? "UDP " : "proto " + p.p + " ") + p.sp + " → " + p.dp + " len=" + p.pl;
    const names = { S: "SYN", F: "FIN", R: "RST", P: "PSH", ".": "ACK", E: "ECE", W: "CWR", U: "URG", N: "NS" };
    const f = p.f.split("").map((c) => names[c] || c).join(",");
    let s = f + " seq=" + p.rs;
    if (p.f.includes(".")) s += " ack=" + p.ra;
    // the window in bytes once scaling is known, as Wireshark's Info does
    s += " win=" + (p.wnd > 0 ? p.wnd : p.w);
    if (p.pl > 0) s += " len=" + p.pl;
    return s;
  }
  function info(p) {
    const parts = [];
    if (p.r) parts.push("retransmission (" + p.r + ")");
    if (p.x) parts.push("dropped: " + p.x);
    if (p.dup) parts.push("copy of " + p.dup);
    if (p.ce) parts.push("CE");
    if (p.o) parts.push("<" + p.o + ">");
    return parts.join(" ");
  }
  function searchText(p) {
    return [hostName(p.s), hostName(p.d), p.sa + ":" + p.sp, p.da + ":" + p.dp, label(p), info(p), "conn " + p.c, "id " + p.id].join(" ").toLowerCase();
  }
  function passes(p) {
    if (S.conn && p.c !== S.conn) return false;
    if (!S.show[category(p)]) return false;
    if (S.show.rtxOnly && !p.r) return false;
    if (S.show.dropOnly && !p.x) return false;
    if (S.find && !searchText(p).includes(S.find)) return false;
    return true;
  }
  // The packets are in the order they were sent, except a link's copies,
  // which come when they were made: runMax[i] is the latest send time of
  // packets 0..i and restMin[i] the earliest of i..n-1, both monotone, so
  // that the packets of a time window are found by binary search, not by
  // looking at every packet of a large run. maxFlight is the longest a
  // packet took to its fate.
  const N = packets.length, runMax = new Float64Array(N), restMin = new Float64Array(N);
  let maxFlight = 0;
  for (let i = 0, m = -Infinity; i < N; i++) {
    const t = sentAt[i];
    m = Math.max(m, t); runMax[i] = m;
    maxFlight = Math.max(maxFlight, (fateAt[i] || t) - t);
  }
  for (let i = N - 1, m = Infinity; i >= 0; i--) { m = Math.min(m, sentAt[i]); restMin[i] = m; }
  // firstAbove returns the first index i with a[i] > v (a is sorted).
  function firstAbove(a, v) { let lo = 0, hi = a.length; while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] > v) hi = m; else lo = m + 1; } return lo; }
  // inWindow lists the packets that pass the filters and are on the wire
  // in [t0, t1]: sent before t1 and delivered, dropped (or, still in
  // flight, sent) after t0.
  let lastWindow = null;
  function inWindow(t0, t1) {
    // the diagram and the table ask for the same list in one redraw
    const key = [t0, t1, S.conn, S.find, JSON.stringify(S.show)].join("|");
    if (lastWindow && lastWindow.key === key) return lastWindow.list;
    const lo = firstAbove(runMax, t0 - maxFlight - 1), hi = firstAbove(restMin, t1), out = [];
    for (let i = lo; i < hi; i++) {
      const p = packets[i];
      if (p.t <= t1 && (p.e || p.t) >= t0 && passes(p)) out.push(p);
    }
    lastWindow = { key, list: out };
    return out;
  }

  // ---- header, cards and the notice --------------------------------------
  function renderHeader() {
    const m = D.meta;
    $("title").textContent = (m.scenario && m.scenario.name ? m.scenario.name : m.dir) + " · netsim view";
    const bits = [];
    if (m.scenario && m.scenario.path) bits.push(m.scenario.path);
    if (m.seed !== undefined) bits.push("seed " + m.seed);
    if (m.duration) bits.push("until " + m.duration);
    if (m.fingerprint) bits.push("fingerprint " + m.fingerprint);
    if (m.netsim_version) bits.push("netsim " + m.netsim_version);
    if (m.complete === false) bits.push("interrupted run");
    $("meta").textContent = bits.join(" · ");
    const c = D.cut, notes = [];
    const win = c.from || c.to ? "the window " + fmtT(c.from) + " to " + (c.to ? fmtT(c.to) : "the end") : "";
    if (c.packets_left > 0)
      notes.push("This page holds the first " + packets.length + " of the " + c.packets_in_window + " packets sent" + (win ? " in " + win : "") +
        " (--max-packets " + c.max_packets + "): the graphs cover them all, the diagram and the table stop at " + fmtT(packets.length ? packets[packets.length - 1].t : 0) +
        ". Use --from/--to or --conn to look elsewhere.");
    if (c.packets_outside > 0)
      notes.push(c.packets_outside + " packets " + (c.conn ? "of other connections or " : "") + "outside " + (win || "the window") + " were left out" + (c.conn ? " (--conn " + c.conn + ")" : "") + ".");
    if (c.series_left > 0) notes.push("The graphs of " + c.series_left + " connections were left out (use --conn N for one of them).");
    if (!c.captured && packets.length) notes.push("No capture in pcap/: packets show the fields of the trace, without their bytes and checksums.");
    $("notice").textContent = notes.join(" ");
    const sum = D.summary || {};
    let drops = 0, rtx = 0;
    for (const l of sum.links || []) for (const k in l.dropped || {}) drops += l.dropped[k];
    for (const n of sum.nodes || []) for (const k in n.dropped || {}) drops += n.dropped[k];
    for (const cn of conns) rtx += cn.retrans;
    const cards = [
      ["simulated", m.duration || fmtDur(c.trace_end)],
      ["packets", c.packets_in_window + (c.packets_left ? " (" + packets.length + " here)" : "")],
      ["connections", conns.length],
      ["hosts", hosts.length - D.routers.length],
      ...(D.routers.length ? [["routers", D.routers.length]] : []),
      ["retransmissions", rtx],
      ["drops", D.summary ? drops : packets.filter((p) => p.x).length],
    ];
    const box = $("cards");
    box.replaceChildren(...cards.map(([k, v]) => el("div", { class: "card" }, el("b", {}, v), el("span", {}, k))));
  }

  // ---- controls -----------------------------------------------------------
  function renderControls() {
    const sel = $("conn");
    sel.replaceChildren(el("option", { value: "0" }, "all (" + conns.length + ")"),
      ...conns.map((c) => el("option", { value: String(c.id) }, c.id + ": " + c.client + " → " + c.server)));
    sel.value = String(S.conn);
    sel.addEventListener("change", () => { S.conn = +sel.value; S.sel = -1; S.rows = PAGE; renderAll(); });
    $("dir").addEventListener("change", () => { S.dir = $("dir").value; renderGraphs(); });
    const rt = $("routers");
    rt.checked = S.routers;
    rt.disabled = D.routers.length === 0;
    rt.addEventListener("change", () => { S.routers = rt.checked; renderLadder(); });
    const names = [["syn", "SYN"], ["fin", "FIN"], ["rst", "RST"], ["data", "data"], ["ack", "ACK only"], ["rtxOnly", "only retransmissions"], ["dropOnly", "only drops"]];
    $("filters").replaceChildren(...names.map(([k, n]) => {
      const cb = el("input", { type: "checkbox", "data-filter": k });
      cb.checked = S.show[k];
      cb.addEventListener("change", () => { S.show[k] = cb.checked; S.rows = PAGE; renderView(); });
      return el("label", {}, cb, " " + n);
    }));
    let timer = 0;
    $("find").addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { S.find = $("find").value.trim().toLowerCase(); S.rows = PAGE; renderView(); }, 150);
    });
    $("reset").addEventListener("click", () => setWindow(whole[0], whole[1]));
    $("more").addEventListener("click", () => { S.rows += PAGE; renderTable(); });
  }

  function setWindow(t0, t1) {
    const minSpan = 100; // 100 ns: below a packet's serialization at 10 Gbit/s
    if (t1 - t0 < minSpan) { const m = (t0 + t1) / 2; t0 = m - minSpan / 2; t1 = m + minSpan / 2; }
    S.t0 = t0; S.t1 = t1;
    renderView();
  }
  function zoomAt(frac, factor) {
    const t = S.t0 + frac * (S.t1 - S.t0);
    setWindow(t - (t - S.t0) * factor, t + (S.t1 - t) * factor);
  }

  // ---- connections list ---------------------------------------------------
  function renderConns() {
    const t = $("conns");
    const head = el("tr", {}, ...["conn", "client", "server", "hosts", "first", "last", "packets", "retrans", "drops", "client end", "server end"].map((h) => el("th", {}, h)));
    const rows = conns.map((c) => {
      const tr = el("tr", { class: "click" + (c.id === S.conn ? " sel" : ""), "data-conn": c.id },
        el("td", { class: "num" }, c.id), el("td", {}, c.client), el("td", {}, c.server),
        el("td", {}, hostName(c.ch) + " → " + hostName(c.sh)), el("td", {}, fmtT(c.first)), el("td", {}, fmtT(c.last)),
        el("td", { class: "num" }, c.packets), el("td", { class: "num" }, c.retrans), el("td", { class: "num" }, c.drops),
        el("td", {}, c.cstate || ""), el("td", {}, c.sstate || ""));
      tr.addEventListener("click", () => {
        S.conn = S.conn === c.id ? 0 : c.id; S.sel = -1; S.rows = PAGE;
        $("conn").value = String(S.conn);
        renderAll();
      });
      return tr;
    });
    t.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  // ---- the sequence (ladder) diagram --------------------------------------
  const L = { width: 900, height: 620, top: 46, bottom: 16, left: 170 };
  const isRouter = new Set(D.routers);
  // path lists the nodes a packet went through, in order: its sender, the
  // routers that forwarded it, and where it was delivered.
  function path(p) {
    const nodes = [p.s, ...(p.via || []).map((v) => v[0])];
    if (p.d >= 0 && p.e && !p.x) nodes.push(p.d);
    return nodes;
  }
  // lifelines orders the nodes the diagram shows: the connection's client
  // first and its server last, routers where the packets meet them on the
  // way; with every connection, each node at its mean position along the
  // paths (client ends 0, server ends 1), so that a dumbbell reads
  // senders, routers, receivers from left to right; nodes at one place in
  // natural name order (D.ranks).
  const laneCache = new Map();
  function lifelines() {
    const key = S.conn + "/" + S.routers;
    if (!laneCache.has(key)) laneCache.set(key, orderLanes());
    return laneCache.get(key);
  }
  function orderLanes() {
    const pos = new Map(), add = (h, f, n = 1) => { const a = pos.get(h) || [0, 0]; a[0] += f * n; a[1] += n; pos.set(h, a); };
    const seen = [];
    // a node's position depends only on the route a packet took, so each
    // distinct route is walked once however many packets took it
    const routes = new Map();
    for (const p of packets) {
      if (S.conn && p.c !== S.conn) continue;
      // a number for a route without routers (most), a string with them
      const via = p.via, to = p.e && !p.x ? p.d + 1 : 0, side = p.side === "client" ? 1 : p.side === "server" ? 2 : 0;
      const k = via ? p.s + ">" + via.map((v) => v[0]).join(">") + ">" + to + ">" + side : ((p.s + 1) * 65536 + to) * 4 + side;
      const r = routes.get(k);
      if (r) r.n++; else routes.set(k, { p: p, n: 1 });
    }
    // A datagram with no TCP side (UDP, ICMP) is drawn from the end that
    // sent first in the run: a ping's replies and a router's ICMP errors
    // then run right to left, as a server's segments do, and the router
    // sits between the hosts.
    const firstSent = new Map();
    for (const p of packets) if (!firstSent.has(p.s)) firstSent.set(p.s, p.t);
    const sentAt = (h) => (firstSent.has(h) ? firstSent.get(h) : Infinity);
    for (const { p, n } of routes.values()) {
      const nodes = path(p).filter((h) => h >= 0 && (S.routers || !isRouter.has(h)));
      if (p.side === "server" || (!p.side && nodes.length > 1 && sentAt(nodes[nodes.length - 1]) < sentAt(nodes[0]))) nodes.reverse();
      nodes.forEach((h, i) => { if (!pos.has(h)) seen.push(h); add(h, nodes.length === 1 ? 0 : i / (nodes.length - 1), n); });
    }
    if (S.conn) {
      const c = connById.get(S.conn);
      for (const h of [c.ch, c.sh]) if (h >= 0 && !pos.has(h)) { seen.push(h); add(h, h === c.ch ? 0 : 1); }
    } else {
      hosts.forEach((_, h) => { if (!pos.has(h) && (S.routers || !isRouter.has(h))) { seen.push(h); add(h, 0.5); } });
    }
    const mean = (h) => pos.get(h)[0] / pos.get(h)[1];
    // ties (a dumbbell's receivers, all at 1) in the figures' order of
    // names, ranked by netsim view (internal/lifelines): sink-1, sink-2, …
    return seen.sort((a, b) => mean(a) - mean(b) || D.ranks[a] - D.ranks[b]);
  }
  function renderLadder() {
    const box = $("ladder-box"), s = $("ladder");
    L.width = Math.max(600, box.clientWidth || 900);
    s.setAttribute("viewBox", "0 0 " + L.width + " " + L.height);
    s.setAttribute("height", L.height);
    const kids = [];
    const lanes = lifelines();
    const maxLanes = 16;
    const shown = lanes.slice(0, maxLanes);
    const x = new Map();
    const right = 110, span = L.width - L.left - right;
    shown.forEach((h, i) => x.set(h, L.left + (shown.length === 1 ? span / 2 : (i * span) / (shown.length - 1))));
    const y = (t) => L.top + ((t - S.t0) / (S.t1 - S.t0)) * (L.height - L.top - L.bottom);
    // time axis
    const ticks = niceTicks(S.t0, S.t1), unit = timeUnit(ticks.length > 1 ? ticks[1] - ticks[0] : S.t1 - S.t0);
    for (const v of ticks) {
      kids.push(svg("line", { x1: L.left - 60, x2: L.width, y1: y(v), y2: y(v), stroke: "#f0f0f0" }));
      kids.push(svg("text", { x: 4, y: y(v) + 3, class: "axis" }, tickLabel(v, ticks, unit)));
    }
    // Each name and address keeps to its lifeline's share of the width:
    // with many lifelines a router's name loses " (router)" (its dashed
    // lifeline says so), then a name is cut short in its middle, with its
    // whole text in a tooltip, and an address that does not fit is left out. The
    // widths are estimates of the fonts' (13px bold, 10px monospace).
    const room = (shown.length > 1 ? span / (shown.length - 1) : span) - 8;
    const nameW = 8.5, addrW = 6.5;
    for (const [h, hx] of x) {
      kids.push(svg("line", { x1: hx, x2: hx, y1: L.top - 8, y2: L.height - L.bottom, class: "life" + (isRouter.has(h) ? " router" : "") }));
      const full = hostName(h) + (isRouter.has(h) ? " (router)" : "");
      let name = full.length * nameW <= room ? full : hostName(h);
      const fits = Math.max(2, Math.floor(room / nameW));
      // cut in the middle: names of one kind differ at their end
      // (ft-edge-1-1, ft-edge-1-2)
      if (name.length > fits) name = name.slice(0, Math.ceil((fits - 1) / 2)) + "…" + name.slice(name.length - Math.floor((fits - 1) / 2));
      const label = svg("text", { x: hx, y: 18, "text-anchor": "middle", class: "host" }, name);
      if (name !== full) label.append(svg("title", {}, full));
      kids.push(label);
      const addr = packets.find((p) => p.s === h);
      if (addr && addr.sa.length * addrW <= room) kids.push(svg("text", { x: hx, y: 32, "text-anchor": "middle", class: "axis addr" }, addr.sa));
    }
    // states on the lifelines
    const firstLane = shown[0], laneY = new Map();
    for (const st of D.states) {
      if (st.t < S.t0 || st.t > S.t1 || !x.has(st.h) || (S.conn && st.c !== S.conn)) continue;
      const hx = x.get(st.h), left = st.h === firstLane, w = st.to.length * 6.2 + 8;
      // states close in time stack downwards instead of covering each other
      const sy = Math.max(y(st.t), (laneY.get(st.h) || -1e9) + 14);
      if (sy - y(st.t) > 30) continue; // too many to read here: zoom in
      laneY.set(st.h, sy);
      const g = svg("g", { class: "state" });
      const bx = left ? hx - w - 4 : hx + 4;
      g.append(svg("rect", { x: bx, y: sy - 7, width: w, height: 13, rx: 3 }));
      g.append(svg("text", { x: bx + 4, y: sy + 3 }, st.to));
      const tip = svg("title", {}, "conn " + st.c + " " + st.side + ": " + (st.from || "(before the window)") + " → " + st.to + " at " + fmtT(st.t));
      g.append(tip);
      kids.push(g);
    }
    // arrows
    const list = inWindow(S.t0, S.t1).filter((p) => x.has(p.s));
    const maxArrows = 2000;
    const dec = decimate(list, maxArrows, S.t0), drawn = dec.drawn;
    const placed = []; // points along the labels drawn so far
    const colours = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
    drawn.forEach((p) => {
      const i = p.i;
      const colour = p.x || p.r ? "#c0392b" : colours[(connIndex(p.c)) % colours.length];
      // the stops along the way: [x, y] at the sender when sent, at each
      // router shown when it forwarded the packet, at the receiver when
      // delivered; a drop stops short of the next node, a packet still in
      // flight at the end of the trace runs to the bottom, dashed.
      const stops = [[x.get(p.s), y(p.t)]];
      if (S.routers) for (const [h, t] of p.via || []) if (x.has(h)) stops.push([x.get(h), y(t)]);
      // A receiver not shown (more nodes than lifelines) is off to the
      // right, past every lifeline: the last leg goes on there rather
      // than to a node shown, which the packet never reached.
      const [lx, ly] = stops[stops.length - 1];
      const far = x.has(p.d) ? 0 : Math.max(lx + 60, L.width - right / 2);
      let x2 = far || x.get(p.d);
      if (x2 === lx && stops.length > 1) x2 = lx + 60;
      const y2 = p.e ? y(p.e) : L.height;
      if (p.x) x2 = lx + (x2 - lx) * 0.45;
      else if (!p.e) x2 = lx + (x2 - lx) * 0.9;
      stops.push([x2, y2]);
      const g = svg("g", {});
      let longest = 0;
      for (let k = 0; k + 1 < stops.length; k++) {
        const [ax, ay] = stops[k], [bx, by] = stops[k + 1];
        const line = svg("line", { x1: ax, y1: ay, x2: bx, y2: by, class: "arrow" + (i === S.sel ? " sel" : ""), stroke: colour });
        if (!p.e) line.setAttribute("stroke-dasharray", "4 3");
        g.append(line);
        if (Math.hypot(bx - ax, by - ay) > Math.hypot(stops[longest + 1][0] - stops[longest][0], stops[longest + 1][1] - stops[longest][1])) longest = k;
      }
      const [x1, y1] = stops[stops.length - 2];
      if (p.x) {
        g.append(svg("path", { d: "M" + (x2 - 5) + " " + (y2 - 5) + "l10 10m0 -10l-10 10", stroke: "#c0392b", "stroke-width": 2 }));
      } else {
        const a = Math.atan2(y2 - y1, x2 - x1), hl = 7;
        g.append(svg("path", { d: "M" + x2 + " " + y2 + "L" + (x2 - hl * Math.cos(a - 0.4)) + " " + (y2 - hl * Math.sin(a - 0.4)) +
          "L" + (x2 - hl * Math.cos(a + 0.4)) + " " + (y2 - hl * Math.sin(a + 0.4)) + "Z", fill: colour }));
      }
      // The label goes at the middle of the longest leg, or further along
      // it when another label is there already; without room, none (zoom in).
      const [sx, sy] = stops[longest], [ex, ey] = stops[longest + 1];
      const text = label(p) + (p.x ? " ✕ " + p.x : "") + (p.r ? " (rexmit)" : "");
      const half = text.length * 3.3, len = Math.hypot(ex - sx, ey - sy) || 1;
      const ux = (ex - sx) / len, uy = (ey - sy) / len;
      for (const f of drawn.length <= 400 ? [0.5, 0.3, 0.7, 0.2, 0.8] : []) {
        const mx = sx + (ex - sx) * f, my = sy + (ey - sy) * f;
        if (half * 2 > len) break;
        // the label's baseline, sampled every 12 px, must keep clear of
        // every label drawn so far
        const pts = [];
        for (let d = -half; d <= half; d += 12) pts.push([mx + ux * d, my + uy * d]);
        if (pts.some(([px, py]) => placed.some(([qx, qy]) => Math.abs(qx - px) < 12 && Math.abs(qy - py) < 11))) continue;
        placed.push(...pts);
        const ang = (Math.atan2(ey - sy, ex - sx) * 180) / Math.PI, upright = ang > 90 || ang < -90 ? ang + 180 : ang;
        g.append(svg("text", { x: mx, y: my - 3, "text-anchor": "middle", transform: "rotate(" + upright.toFixed(2) + " " + mx.toFixed(1) + " " + my.toFixed(1) + ")" }, text));
        break;
      }
      const tip = "#" + p.id + " " + hostName(p.s) + " → " + hostName(p.d) + " at " + fmtT(p.t) + ": " + label(p) + " " + info(p);
      for (let k = 0; k + 1 < stops.length; k++) {
        const hit = svg("line", { x1: stops[k][0], y1: stops[k][1], x2: stops[k + 1][0], y2: stops[k + 1][1], class: "hit", "data-id": p.id });
        hit.append(svg("title", {}, tip));
        hit.addEventListener("click", (ev) => { ev.stopPropagation(); select(i); });
        g.append(hit);
      }
      kids.push(g);
    });
    s.replaceChildren(...kids);
    const notes = [];
    if (lanes.length > shown.length) notes.push("Showing the first " + shown.length + " of " + lanes.length + " nodes: pick a connection to see its two ends.");
    if (list.length > drawn.length && dec.allSent) notes.push(list.length + " packets in view, " + drawn.length + " drawn: every packet sent in this window, every SYN, FIN, RST, retransmission and drop, and a sample of those still on their way from before it.");
    else if (list.length > drawn.length) notes.push(list.length + " packets in view, " + drawn.length + " drawn (every SYN, FIN, RST, retransmission and drop, and one in " +
      Math.ceil(dec.stride) + " of the others, spread over the window): zoom in (wheel) to see each packet.");
    if (!list.length) notes.push("No packet in this window" + (S.conn ? " for connection " + S.conn : "") + ".");
    $("ladder-note").textContent = notes.join(" ");
  }
  // decimate picks at most max packets of list (in time order) for the
  // overview: every packet that marks an event (SYN, FIN, RST, a
  // retransmission, a drop), then the others at an even stride, so that
  // the whole window is covered rather than only its start. Zooming in
  // brings the window under max and every packet back.
  function decimate(list, max, t0) {
    if (list.length <= max) return { drawn: list, allSent: false };
    // one pass over the window (a whole 1 Gbit/s run is a million
    // packets): the notable ones, and the others sent in it or before it
    const keep = [], sentIn = [], before = [];
    for (const p of list) {
      if (p.r || p.x || p.cat & 8) { if (keep.length < max / 2) keep.push(p); } else (p.t >= t0 ? sentIn : before).push(p);
    }
    // A short window of a fast link holds more packets still on their
    // way from before it (a queue of thousands) than it can draw: every
    // packet sent in the window is drawn when there is room for it, and
    // the sample is taken of the others.
    const allSent = keep.length + sentIn.length <= max;
    if (allSent) keep.push(...sentIn);
    const pool = allSent ? before : mergeByIndex(before, sentIn);
    const rest = max - keep.length, stride = pool.length / Math.max(1, rest);
    let next = 0, k = 0;
    if (rest > 0) for (const p of pool) if (k++ >= next) { keep.push(p); next += stride; }
    return { drawn: keep.sort((a, b) => a.i - b.i), allSent, stride };
  }
  // mergeByIndex merges two lists of packets, each in page order, into one.
  function mergeByIndex(a, b) {
    const out = new Array(a.length + b.length);
    let i = 0, j = 0, k = 0;
    while (i < a.length && j < b.length) out[k++] = a[i].i < b[j].i ? a[i++] : b[j++];
    while (i < a.length) out[k++] = a[i++];
    while (j < b.length) out[k++] = b[j++];
    return out;
  }
  function connIndex(id) { const c = conns.findIndex((c) => c.id === id); return c < 0 ? 0 : c; }

  function bindLadder() {
    const box = $("ladder-box");
    box.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = box.getBoundingClientRect(), scale = L.height / r.height;
      const frac = ((ev.clientY - r.top) * scale - L.top) / (L.height - L.top - L.bottom);
      zoomAt(Math.min(1, Math.max(0, frac)), ev.deltaY > 0 ? 1.25 : 0.8);
    }, { passive: false });
    dragToPan(box, (dy, r) => -(dy * (L.height / r.height)) / (L.height - L.top - L.bottom), true);
    box.addEventListener("dblclick", () => setWindow(whole[0], whole[1]));
  }
  // dragToPan moves the window while the mouse is dragged on target; frac
  // turns the pixel move into a fraction of the window.
  function dragToPan(target, frac, vertical) {
    let start = null;
    target.addEventListener("mousedown", (ev) => { start = { x: ev.clientX, y: ev.clientY, t0: S.t0, t1: S.t1 }; target.classList.add("drag"); });
    window.addEventListener("mousemove", (ev) => {
      if (!start) return;
      const r = target.getBoundingClientRect();
      const f = frac(vertical ? ev.clientY - start.y : ev.clientX - start.x, r);
      const d = f * (start.t1 - start.t0);
      if (Math.abs(d) > 0) { S.t0 = start.t0 + d; S.t1 = start.t1 + d; scheduleView(); }
    });
    window.addEventListener("mouseup", () => { start = null; target.classList.remove("drag"); });
  }
  let pending = 0;
  function scheduleView() {
    if (pending) return;
    pending = requestAnimationFrame(() => { pending = 0; renderView(); });
  }

  // ---- graphs ---------------------------------------------------------------
  // INFINITE_SSTHRESH is Linux's "no ssthresh yet" (TCP_INFINITE_SSTHRESH,
  // 0x7fffffff): not a value to plot.
  const INFINITE_SSTHRESH = 0x7fffffff;
  const G = { left: 70, right: 14, top: 20, bottom: 28 };
  function seriesOf(conn, side, name) { return D.series.find((s) => s.c === conn && s.side === side && s.name === name); }
  // With every connection shown, the graphs are those of the one that
  // sent the most packets among those whose series the page keeps (the
  // first on a tie): a run that opens a short connection first should
  // not greet the reader with its empty graphs.
  const busiest = (() => {
    const kept = new Set(D.series.map((s) => s.c));
    let best = conns.length ? conns[0] : null;
    for (const c of conns) if (kept.has(c.id) && (!kept.has(best.id) || c.packets > best.packets)) best = c;
    return best ? best.id : 0;
  })();
  function graphConn() { return S.conn || busiest; }
  // covered is the time up to which every packet is in the page.
  const covered = D.cut.packets_left > 0 && packets.length ? packets[packets.length - 1].t : Infinity;

  // BBR's modes as bands behind a graph, each labelled where it starts.
  const MODE_COLOURS = { startup: "#fde8d8", drain: "#f7f3c8", probe_bw: "#e3f1e8", probe_rtt: "#e4ecf7" };
  function modeBands(conn, side) {
    const ms = D.modes.filter((m) => m.c === conn && m.side === side);
    return ms.map((m, i) => ({ t0: m.t, t1: i + 1 < ms.length ? ms[i + 1].t : Infinity, label: m.mode.toUpperCase(), colour: MODE_COLOURS[m.mode] || "#eee" }));
  }
  function plot(canvas, title, yKind, layers, bands) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 900, h = +canvas.getAttribute("height");
    canvas.width = w * dpr; canvas.height = h * dpr; canvas.style.height = h + "px";
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.font = "11px system-ui, sans-serif";
    let lo = Infinity, hi = -Infinity;
    for (const l of layers) for (const q of l.points) if (q[0] >= S.t0 && q[0] <= S.t1) { lo = Math.min(lo, q[1]); hi = Math.max(hi, q[2]); }
    g.fillStyle = "#333";
    g.fillText(title, G.left, 13);
    if (!isFinite(lo)) { g.fillStyle = "#888"; g.fillText("nothing in this window", G.left + 10, h / 2); return; }
    if (hi === lo) { hi += 1; lo = Math.max(0, lo - 1); }
    const m = (hi - lo) * 0.05; hi += m; lo = Math.max(0, lo - m);
    const X = (t) => G.left + ((t - S.t0) / (S.t1 - S.t0)) * (w - G.left - G.right);
    const Y = (v) => h - G.bottom - ((v - lo) / (hi - lo)) * (h - G.top - G.bottom);
    for (const b of bands || []) {
      if (b.t1 < S.t0 || b.t0 > S.t1) continue;
      const x0 = Math.max(G.left, X(b.t0)), x1 = Math.min(w - G.right, X(Math.min(b.t1, S.t1)));
      g.fillStyle = b.colour; g.fillRect(x0, G.top, Math.max(1, x1 - x0), h - G.top - G.bottom);
      if (x1 - x0 > g.measureText(b.label).width + 6) { g.fillStyle = "#666"; g.textAlign = "left"; g.fillText(b.label, x0 + 3, G.top + 11); }
    }
    // axes
    g.strokeStyle = "#eee"; g.fillStyle = "#666"; g.lineWidth = 1;
    const yt = niceTicks(lo, hi);
    g.textAlign = "right";
    for (const v of yt) { g.beginPath(); g.moveTo(G.left, Y(v)); g.lineTo(w - G.right, Y(v)); g.stroke(); g.fillText(axisLabel(yKind, v, yt), G.left - 4, Y(v) + 3); }
    const xt = niceTicks(S.t0, S.t1), unit = timeUnit(xt.length > 1 ? xt[1] - xt[0] : 1);
    g.textAlign = "center";
    for (const v of xt) { g.beginPath(); g.moveTo(X(v), G.top); g.lineTo(X(v), h - G.bottom); g.stroke(); g.fillText(tickLabel(v, xt, unit), X(v), h - 10); }
    g.strokeStyle = "#999"; g.strokeRect(G.left, G.top, w - G.left - G.right, h - G.top - G.bottom);
    g.save();
    g.beginPath(); g.rect(G.left, G.top, w - G.left - G.right, h - G.top - G.bottom); g.clip();
    for (const l of layers) {
      g.strokeStyle = g.fillStyle = l.colour; g.lineWidth = l.width || 1.5;
      if (l.kind === "ticks") {
        for (const q of l.points) {
          if (q[0] < S.t0 || q[0] > S.t1) continue;
          g.strokeStyle = q[3] ? "#c0392b" : l.colour;
          g.beginPath(); g.moveTo(X(q[0]), Y(q[1])); g.lineTo(X(q[0]), Math.min(Y(q[2]), Y(q[1]) - 2)); g.stroke();
          if (q[4]) { const px = X(q[0]), py = Y(q[2]); g.beginPath(); g.moveTo(px - 4, py - 4); g.lineTo(px + 4, py + 4); g.moveTo(px + 4, py - 4); g.lineTo(px - 4, py + 4); g.stroke(); }
        }
      } else {
        // a step line through the last value of each bin, with the bin's
        // min..max as a band when decimated; markers when points are few
        g.beginPath();
        let first = true, n = 0;
        for (const q of l.points) {
          const px = X(q[0]);
          if (first) { g.moveTo(px, Y(q[3])); first = false; } else { g.lineTo(px, g.__y); g.lineTo(px, Y(q[3])); }
          g.__y = Y(q[3]);
          if (q[0] >= S.t0 && q[0] <= S.t1) n++;
        }
        if (!first) g.lineTo(X(S.t1 + (S.t1 - S.t0)), g.__y);
        g.stroke();
        for (const q of l.points) if (q[2] !== q[1] && q[0] >= S.t0 && q[0] <= S.t1) { g.beginPath(); g.moveTo(X(q[0]), Y(q[1])); g.lineTo(X(q[0]), Y(q[2])); g.stroke(); }
        if (n <= 60) for (const q of l.points) if (q[0] >= S.t0 && q[0] <= S.t1) { g.beginPath(); g.arc(X(q[0]), Y(q[3]), 2.5, 0, 7); g.fill(); }
      }
    }
    g.restore();
    // the legend, right-aligned on the title's line (outside the clip)
    g.textAlign = "left";
    let lx = w - G.right - layers.reduce((a, l) => a + g.measureText(l.name).width + 34, 0) + 16;
    for (const l of layers) {
      g.fillStyle = l.colour;
      g.fillRect(lx, 6, 14, 3); g.fillText(l.name, lx + 18, 12); lx += g.measureText(l.name).width + 34;
    }
  }

  // segmentsOf lists, once per connection end, the segments it sent that
  // take sequence space (data, SYN, FIN).
  const segCache = new Map();
  function segmentsOf(conn, side) {
    const key = conn + "/" + side;
    if (!segCache.has(key)) segCache.set(key, packets.filter((p) => p.c === conn && p.side === side && (p.pl > 0 || (p.cat & 7) === 1 || (p.cat & 7) === 2)));
    return segCache.get(key);
  }
  function renderGraphs() {
    const conn = graphConn(), side = S.dir;
    const c = connById.get(conn);
    const notes = [];
    if (!c) { $("graph-note").textContent = "No connection in this run."; for (const id of ["tseq", "cwnd", "rtt", "rate"]) plot($(id), "", "bytes", []); return; }
    if (!S.conn && conns.length > 1) notes.push("Graphs of connection " + conn + ", the one that sent the most packets (pick another above).");
    const who = side === "client" ? c.client + " → " + c.server : c.server + " → " + c.client;
    const layers = [];
    const all = segmentsOf(conn, side);
    const inView = all.filter((p) => p.t >= S.t0 && p.t <= S.t1);
    // Past maxTicks segments in the window the graph draws the highest
    // byte sent (decimated) and only the retransmitted and dropped
    // segments: zooming in brings every segment back.
    const maxTicks = 20000, crowded = inView.length > maxTicks;
    const detail = crowded ? inView.filter((p) => p.r || p.x) : inView;
    const seq = seriesOf(conn, side, "seq"), ack = seriesOf(conn, side, "ack");
    if (S.t1 > covered || !all.length || crowded) {
      if (seq) layers.push({ name: "highest byte sent", colour: "#888", points: seq.pts });
      if (S.t1 > covered) notes.push("After " + fmtT(covered) + " the graph shows the whole trace decimated to bins of " + fmtDur(seq ? seq.width : 1) + "; the segments are in the page only before.");
      if (crowded) notes.push(inView.length + " segments in this window: the graph shows the highest byte sent" + (seq && seq.width > 1 ? " in bins of " + fmtDur(seq.width) : "") +
        " and each retransmitted or dropped segment; zoom in (wheel) to " + maxTicks + " or fewer to see every segment.");
    }
    if (ack) layers.push({ name: "ACK from the peer", colour: "#009e73", points: ack.pts });
    if (detail.length) layers.push({ name: crowded ? "retransmitted (red) and dropped (✕) segments" : "segments (red: retransmitted, ✕ dropped)", colour: "#0072b2", kind: "ticks",
      points: detail.map((p) => [p.t, p.rs, p.rs + Math.max(p.pl, 1), p.r ? 1 : 0, p.x ? 1 : 0]) });
    plot($("tseq"), "time-sequence, conn " + conn + " " + who + " (relative sequence number)", "bytes", layers);
    const cw = seriesOf(conn, side, "cwnd"), ss = seriesOf(conn, side, "ssthresh");
    const cl = [];
    if (cw) cl.push({ name: "cwnd", colour: "#0072b2", points: cw.pts });
    if (ss) cl.push({ name: "ssthresh", colour: "#d55e00", points: ss.pts.filter((q) => q[2] < INFINITE_SSTHRESH) });
    const bands = modeBands(conn, side);
    plot($("cwnd"), "cwnd and ssthresh, " + side + " (" + (side === "client" ? c.client : c.server) + ")" + (bands.length ? "; BBR's modes behind" : ""), "bytes", cl, bands);
    const rt = seriesOf(conn, side, "rtt"), sr = seriesOf(conn, side, "srtt"), mr = seriesOf(conn, side, "bbr_min_rtt");
    const rl = [];
    if (rt) rl.push({ name: "RTT sample", colour: "#cc79a7", points: rt.pts });
    if (sr) rl.push({ name: "SRTT", colour: "#009e73", points: sr.pts });
    if (mr) rl.push({ name: "BBR min RTT", colour: "#e69f00", points: mr.pts });
    plot($("rtt"), "RTT, " + side, "ns", rl);
    const dr = seriesOf(conn, side, "rate"), bw = seriesOf(conn, side, "bbr_bw");
    const dl = [];
    if (dr) dl.push({ name: "delivery rate sample", colour: "#56b4e9", points: dr.pts });
    if (bw) dl.push({ name: "BBR bottleneck bandwidth", colour: "#d55e00", points: bw.pts });
    plot($("rate"), "delivery rate, " + side + " (tcp.rate" + (bw ? ", tcp.bbr" : "") + ")", "bps", dl, bands);
    $("graph-note").textContent = notes.join(" ");
  }
  function bindGraph(canvas) {
    canvas.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      const frac = (ev.clientX - r.left - G.left) / (r.width - G.left - G.right);
      zoomAt(Math.min(1, Math.max(0, frac)), ev.deltaY > 0 ? 1.25 : 0.8);
    }, { passive: false });
    dragToPan(canvas, (dx, r) => -dx / (r.width - G.left - G.right), false);
    canvas.addEventListener("dblclick", () => setWindow(whole[0], whole[1]));
  }

  // ---- the packet table -----------------------------------------------------
  function renderTable() {
    const list = inWindow(S.t0, S.t1);
    $("packets-count").textContent = list.length + " in view of " + packets.length + " in the page";
    const head = el("tr", {}, ...["#", "sent", "from", "to", "conn", "flags", "seq", "ack", "win", "window", "len", "arrived", "info"].map((h) => el("th", {}, h)));
    head.cells[8].title = "the 16-bit window field as sent";
    head.cells[9].title = "the window in bytes it stands for, scaled by the sender's window scale shift (RFC 7323)";
    const rows = list.slice(0, S.rows).map((p) => {
      const i = p.i;
      const cls = "click" + (i === S.sel ? " sel" : "") + (p.r ? " rtx" : "") + (p.x ? " drop" : "");
      const ported = p.p === 6 || p.p === 17; // ICMP has no ports
      const tr = el("tr", { class: cls, "data-i": i, "data-id": p.id },
        el("td", { class: "num" }, p.id), el("td", {}, fmtT(p.t)),
        el("td", {}, hostName(p.s) + " " + p.sa + (ported ? ":" + p.sp : "")), el("td", {}, hostName(p.d) + " " + p.da + (ported ? ":" + p.dp : "")),
        el("td", { class: "num" }, p.c || ""), el("td", {}, p.p === 6 ? p.f : p.p === 1 ? icmpLabel(p) : ""), el("td", { class: "num" }, p.p === 6 ? p.rs : ""), el("td", { class: "num" }, p.p === 6 ? p.ra : ""),
        el("td", { class: "num" }, p.p === 6 ? p.w : ""), el("td", { class: "num" }, scaledWindow(p)), el("td", { class: "num" }, p.pl),
        el("td", {}, p.x ? "dropped " + fmtT(p.e) : p.e ? fmtT(p.e) : "in flight"), el("td", {}, info(p)));
      tr.addEventListener("click", () => select(i));
      return tr;
    });
    $("packets").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
    $("more").style.display = list.length > S.rows ? "" : "none";
  }

  // scaledWindow is the window in bytes a TCP segment announces: its window
  // field shifted by the sender's window scale (RFC 7323 §2.2), as is in a
  // SYN, "?" when the connection's SYNs are not in the trace.
  function scaledWindow(p) {
    if (p.p !== 6) return "";
    if (p.wnd === undefined) return p.w;
    return p.wnd < 0 ? "?" : p.wnd;
  }
  function windowText(p) {
    if (p.f.includes("S")) return p.w + " (not scaled in a SYN)";
    if (p.wnd === undefined || p.wnd === p.w) return p.w + " bytes" + (p.wnd === undefined ? "" : " (no window scaling)");
    if (p.wnd < 0) return p.w + " (scale unknown: the SYNs are not in the trace)";
    return p.w + " × " + (p.wnd / p.w) + " = " + p.wnd + " bytes (window scaling)";
  }

  // ---- one packet: every header field and its bytes --------------------------
  function select(i) {
    S.sel = i;
    if (packets[i] && history.replaceState) history.replaceState(null, "", "#packet=" + packets[i].id);
    renderLadder();
    renderTable();
    renderDetail();
  }
  function u16(b, o) { return (b[o] << 8) | b[o + 1]; }
  function u32(b, o) { return ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3]; }
  function hx(v, n) { return "0x" + v.toString(16).padStart(n, "0"); }
  // ipv4Fields lists the IPv4 header fields (RFC 791 §3.1, RFC 2474, RFC
  // 3168) as [name, value, byte offset, byte length].
  function ipv4Fields(b, o, csOK) {
    const ihl = b[o] & 15, hl = ihl * 4, ecn = ["Not-ECT", "ECT(1)", "ECT(0)", "CE"][b[o + 1] & 3];
    const flags = b[o + 6] >> 5, proto = b[o + 9];
    const f = [
      ["Version", b[o] >> 4, o, 1],
      ["IHL", ihl + " (" + hl + " bytes)", o, 1],
      ["DSCP", b[o + 1] >> 2, o + 1, 1],
      ["ECN", (b[o + 1] & 3) + " " + ecn, o + 1, 1],
      ["Total length", u16(b, o + 2), o + 2, 2],
      ["Identification", u16(b, o + 4) + " (" + hx(u16(b, o + 4), 4) + ")", o + 4, 2],
      ["Flags", "reserved " + ((flags >> 2) & 1) + ", DF " + ((flags >> 1) & 1) + ", MF " + (flags & 1), o + 6, 1],
      ["Fragment offset", u16(b, o + 6) & 0x1fff, o + 6, 2],
      ["Time to live", b[o + 8], o + 8, 1],
      ["Protocol", proto + (proto === 6 ? " (TCP)" : proto === 17 ? " (UDP)" : proto === 1 ? " (ICMP)" : ""), o + 9, 1],
      ["Header checksum", checksum(u16(b, o + 10), csOK), o + 10, 2],
      ["Source address", b.slice(o + 12, o + 16).join("."), o + 12, 4],
      ["Destination address", b.slice(o + 16, o + 20).join("."), o + 16, 4],
    ];
    if (hl > 20) f.push(["Options", hl - 20 + " bytes", o + 20, hl - 20]);
    return f;
  }
  // udpFields lists the UDP header (RFC 768): a checksum of 0 means the
  // sender computed none.
  function udpFields(b, o, p) {
    const cs = u16(b, o + 6);
    return [
      ["Source port", u16(b, o), o, 2],
      ["Destination port", u16(b, o + 2), o + 2, 2],
      ["Length", u16(b, o + 4) + " bytes (header and payload)", o + 4, 2],
      ["Checksum", cs === 0 ? "0x0000 (none computed)" : checksum(cs, p.l4ok), o + 6, 2],
      ["Payload", Math.max(0, u16(b, o + 4) - 8) + " bytes", o + 8, Math.max(0, b.length - o - 8)],
    ];
  }
  // ICMP types and the codes of Destination Unreachable (RFC 792, RFC 1191).
  const ICMP_TYPES = { 0: "Echo Reply", 3: "Destination Unreachable", 4: "Source Quench", 5: "Redirect", 8: "Echo Request", 11: "Time Exceeded", 12: "Parameter Problem" };
  const UNREACH = ["net unreachable", "host unreachable", "protocol unreachable", "port unreachable", "fragmentation needed and DF set", "source route failed"];
  // icmpFields lists an ICMP message (RFC 792): its type, code and
  // checksum, the four bytes whose meaning depends on the type, and for an
  // error the quoted IPv4 header and the first bytes of its transport
  // header, which say which datagram it is about.
  function icmpFields(b, o, p) {
    const type = b[o], code = b[o + 1];
    let codeName = "";
    if (type === 3) codeName = UNREACH[code] || "";
    else if (type === 11) codeName = code === 0 ? "TTL exceeded in transit" : code === 1 ? "fragment reassembly time exceeded" : "";
    const f = [
      ["Type", type + (ICMP_TYPES[type] ? " (" + ICMP_TYPES[type] + ")" : ""), o, 1],
      ["Code", code + (codeName ? " (" + codeName + ")" : ""), o + 1, 1],
      ["Checksum", checksum(u16(b, o + 2), p.l4ok), o + 2, 2],
    ];
    if (type === 0 || type === 8) {
      f.push(["Identifier", u16(b, o + 4), o + 4, 2], ["Sequence number", u16(b, o + 6), o + 6, 2]);
      f.push(["Data", Math.max(0, p.l - (o + 8)) + " bytes", o + 8, Math.max(0, b.length - o - 8)]);
      return f;
    }
    if (type === 3 && code === 4) f.push(["Unused", u16(b, o + 4), o + 4, 2], ["Next-hop MTU", u16(b, o + 6) + " bytes (RFC 1191)", o + 6, 2]);
    else f.push(["Unused", u32(b, o + 4), o + 4, 4]);
    const q = o + 8;
    if (b.length < q + 20 || b[q] >> 4 !== 4) return f;
    for (const [n, v, off, len] of ipv4Fields(b, q)) f.push(["Quoted IPv4: " + n, v, off, len]);
    const t = q + (b[q] & 15) * 4;
    if (b.length >= t + 4) f.push(["Quoted source port", u16(b, t), t, 2], ["Quoted destination port", u16(b, t + 2), t + 2, 2]);
    if (b[q + 9] === 6 && b.length >= t + 8) f.push(["Quoted TCP sequence number", u32(b, t + 4), t + 4, 4]);
    if (b[q + 9] === 17 && b.length >= t + 8) f.push(["Quoted UDP length", u16(b, t + 4), t + 4, 2]);
    return f;
  }
  // checksum shows a checksum field and, when known, whether it is valid.
  function checksum(v, ok) { return [hx(v, 4) + " ", ok === undefined || ok === null ? "" : ok ? okSpan("valid") : badSpan("invalid")]; }
  function okSpan(t) { return el("span", { class: "ok" }, t); }
  function badSpan(t) { return el("span", { class: "bad" }, t); }
  // tcpOptions decodes the option area (RFC 9293 §3.2, RFC 7323, RFC 2018).
  function tcpOptions(b, o, end) {
    const out = [];
    let i = o;
    while (i < end) {
      const k = b[i];
      if (k === 0) { out.push(["Option: EOL (end of option list)", "kind 0", i, 1]); i++; break; }
      if (k === 1) { out.push(["Option: NOP", "kind 1", i, 1]); i++; continue; }
      const len = b[i + 1];
      if (!(len >= 2) || i + len > end) { out.push(["Option: malformed", "kind " + k + ", length " + len, i, end - i]); i = end; break; }
      let name = "kind " + k, v = "length " + len;
      if (k === 2 && len === 4) { name = "MSS"; v = u16(b, i + 2) + " bytes"; }
      else if (k === 3 && len === 3) { name = "Window scale"; v = "shift " + b[i + 2] + " (× " + (1 << b[i + 2]) + ")"; }
      else if (k === 4 && len === 2) { name = "SACK permitted"; v = ""; }
      else if (k === 5) { name = "SACK"; const bl = []; for (let j = i + 2; j + 8 <= i + len; j += 8) bl.push(u32(b, j) + "-" + u32(b, j + 4)); v = bl.join(" "); }
      else if (k === 8 && len === 10) { name = "Timestamps"; v = "TSval " + u32(b, i + 2) + ", TSecr " + u32(b, i + 6); }
      else if (k === 30) { name = "Multipath TCP"; }
      out.push(["Option: " + name, v, i, len]);
      i += len;
    }
    if (i < end) out.push(["Padding", end - i + " bytes", i, end - i]);
    return out;
  }
  // tcpFields lists the TCP header fields (RFC 9293 §3.1, RFC 3168 §6.1).
  function tcpFields(b, o, p) {
    const off = b[o + 12] >> 4, hl = off * 4, word = u16(b, o + 12);
    const f = [
      ["Source port", u16(b, o), o, 2],
      ["Destination port", u16(b, o + 2), o + 2, 2],
      ["Sequence number", u32(b, o + 4) + " (relative " + p.rs + ")", o + 4, 4],
      ["Acknowledgment number", u32(b, o + 8) + (word & 16 ? " (relative " + p.ra + ")" : " (no ACK flag)"), o + 8, 4],
      ["Data offset", off + " (" + hl + " bytes)", o + 12, 1],
      ["Reserved", (word >> 9) & 7, o + 12, 1],
    ];
    const names = [["NS", 8], ["CWR", 7], ["ECE", 6], ["URG", 5], ["ACK", 4], ["PSH", 3], ["RST", 2], ["SYN", 1], ["FIN", 0]];
    for (const [n, bit] of names) f.push(["Flag " + n, (word >> bit) & 1 ? "1 (set)" : "0", bit === 8 ? o + 12 : o + 13, 1]);
    f.push(["Window", u16(b, o + 14) === p.w ? windowText(p) : u16(b, o + 14), o + 14, 2]);
    f.push(["Checksum", checksum(u16(b, o + 16), p.l4ok), o + 16, 2]);
    f.push(["Urgent pointer", u16(b, o + 18), o + 18, 2]);
    return f.concat(tcpOptions(b, o + 20, Math.min(o + hl, b.length)));
  }
  function fieldTable(title, rows, spans) {
    const trs = rows.map(([n, v, off, len]) => {
      const tr = el("tr", {}, el("td", {}, n), el("td", {}, ...(Array.isArray(v) ? v : [String(v)])));
      tr.addEventListener("mouseenter", () => { tr.classList.add("hl"); for (let i = off; i < off + len; i++) if (spans[i]) spans[i].classList.add("hl"); });
      tr.addEventListener("mouseleave", () => { tr.classList.remove("hl"); for (const s of spans) if (s) s.classList.remove("hl"); });
      return tr;
    });
    return el("div", {}, el("h3", {}, title), el("table", {}, el("tbody", {}, ...trs)));
  }
  function hexDump(b, total) {
    const pre = el("div", { class: "hex" }), spans = [];
    for (let o = 0; o < b.length; o += 16) {
      pre.append(el("span", { class: "off" }, o.toString(16).padStart(4, "0") + "  "));
      let asc = "";
      for (let i = o; i < o + 16; i++) {
        if (i < b.length) {
          const s = el("span", {}, b[i].toString(16).padStart(2, "0"));
          spans[i] = s; pre.append(s, i === o + 7 ? "  " : " ");
          asc += b[i] >= 32 && b[i] < 127 ? String.fromCharCode(b[i]) : ".";
        } else pre.append(i === o + 7 ? "    " : "   ");
      }
      pre.append(el("span", { class: "asc" }, " " + asc), "\n");
    }
    if (total > b.length) pre.append(el("span", { class: "off" }, "… " + (total - b.length) + " more payload bytes not kept in the page\n"));
    return [pre, spans];
  }
  function renderDetail() {
    const box = $("detail");
    const p = packets[S.sel];
    if (!p) { box.replaceChildren(el("p", { class: "note" }, "Click a packet in the diagram or the table.")); return; }
    const fate = p.x ? "dropped at " + fmtT(p.e) + " by " + p.xa + ": " + p.x : p.e ? "delivered to " + hostName(p.d) + " at " + fmtT(p.e) + " (" + fmtDur(p.e - p.t) + " later)" : "not delivered by the end of the trace";
    const trace = [
      ["Packet id", p.id + (p.dup ? " (a copy of " + p.dup + ")" : "")],
      ["Sent", fmtT(p.t) + " by " + hostName(p.s)],
      ["Fate", fate],
      ["Connection", p.c ? p.c + " (" + p.side + " end)" : "none"],
      ["Datagram", p.l + " bytes, payload " + p.pl + " bytes"],
      ["Routers passed", (p.via || []).length ? p.via.map(([h, t]) => hostName(h) + " at " + fmtT(t)).join(", ") : "none"],
      ["Retransmission", p.r || "no"],
      ["ECN", p.ce ? "marked CE by a queue" : "not marked"],
      ["Options (trace)", p.o || "none"],
    ];
    if (p.bad) trace.push(["Corrupted", "yes, by a link"]);
    const parts = [];
    parts.push(el("div", {}, el("h3", {}, "#" + p.id + " " + hostName(p.s) + " → " + hostName(p.d) + ": " + label(p)),
      el("table", {}, el("tbody", {}, ...trace.map(([n, v]) => el("tr", {}, el("td", {}, n), el("td", {}, String(v))))))));
    const b = p.b;
    if (b) {
      const [dump, spans] = hexDump(b, p.bl);
      parts.push(fieldTable("IPv4 header", ipv4Fields(b, 0, p.ipok), spans));
      const hl = (b[0] & 15) * 4;
      if (b[9] === 6 && b.length >= hl + 20) {
        const tf = tcpFields(b, hl, p);
        const dataOff = hl + (b[hl + 12] >> 4) * 4;
        tf.push(["Payload", p.pl + " bytes", dataOff, Math.max(0, b.length - dataOff)]);
        parts.push(fieldTable("TCP header", tf, spans));
      } else if (b[9] === 17 && b.length >= hl + 8) {
        parts.push(fieldTable("UDP header", udpFields(b, hl, p), spans));
      } else if (b[9] === 1 && b.length >= hl + 8) {
        parts.push(fieldTable("ICMP message", icmpFields(b, hl, p), spans));
      }
      parts.push(el("div", {}, el("h3", {}, "Bytes (" + p.bl + " captured)"), dump));
    } else {
      const rows = [["Source", p.sa + ":" + p.sp], ["Destination", p.da + ":" + p.dp], ["Protocol", p.p]];
      if (p.p === 6) rows.push(["Sequence number", p.seq + " (relative " + p.rs + ")"], ["Acknowledgment number", p.ack + " (relative " + p.ra + ")"],
        ["Flags", p.f], ["Window", windowText(p)], ["Options", p.o || "none"]);
      else rows.push(["Payload", p.pl + " bytes"]);
      parts.push(el("div", {}, el("h3", {}, "Header (from the trace; no bytes captured for this packet)"),
        el("table", {}, el("tbody", {}, ...rows.map(([n, v]) => el("tr", {}, el("td", {}, n), el("td", {}, String(v))))))));
    }
    box.replaceChildren(...parts);
  }

  // ---- summary.json ------------------------------------------------------------
  function table(cols, rows) {
    return el("div", { class: "scroll" }, el("table", { class: "grid" }, el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", {}, c)))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((v) => el("td", {}, v === undefined || v === null ? "" : String(v))))))));
  }
  function renderSummary() {
    const s = D.summary, box = $("summary");
    if (!s) { box.replaceChildren(el("p", { class: "note" }, "No summary.json in this folder.")); return; }
    const parts = [];
    const cs = (s.connections || []).filter((c) => !D.cut.conn || c.id === D.cut.conn);
    if (cs.length) {
      parts.push(el("h3", {}, "Connections"));
      parts.push(table(["conn", "client", "server", "final states", "established", "sent", "acked", "delivered", "retransmits", "throughput", "RTT min / mean / max", "reverse delivered"],
        cs.map((c) => [c.id, c.client, c.server, Object.entries(c.final_state || {}).map(([k, v]) => k + " " + v).join(", "),
          c.established_at === null ? "never" : fmtT(c.established_at), fmtBytes(c.bytes_sent), fmtBytes(c.bytes_acked), fmtBytes(c.bytes_delivered),
          c.retransmits, fmtRate(c.throughput_bps), c.rtt && c.rtt.samples ? fmtDur(c.rtt.min_ns) + " / " + fmtDur(c.rtt.mean_ns) + " / " + fmtDur(c.rtt.max_ns) : "",
          c.reverse ? fmtBytes(c.reverse.bytes_delivered) : ""])));
    }
    const ls = s.links || [];
    if (ls.length) {
      parts.push(el("h3", {}, "Links"));
      parts.push(table(["link", "direction", "packets sent", "dropped", "marked CE", "queue peak", "sojourn p50 / p99 / max"],
        ls.map((l) => [l.link, l.direction, l.packets_sent, Object.entries(l.dropped || {}).map(([k, v]) => k + " " + v).join(", ") || "0", l.marked,
          l.queue_peak_packets + " pkts, " + fmtBytes(l.queue_peak_bytes), l.sojourn_ns && l.sojourn_ns.samples ? fmtDur(l.sojourn_ns.p50) + " / " + fmtDur(l.sojourn_ns.p99) + " / " + fmtDur(l.sojourn_ns.max) : ""])));
    }
    const fs = s.flows || [];
    if (fs.length) {
      parts.push(el("h3", {}, "Flows (UDP and other datagrams)"));
      parts.push(table(["flow", "protocol", "from", "to", "sent", "received", "lost", "goodput", "delay min / p50 / p99 / max", "jitter"],
        fs.map((f) => [f.flow, f.proto, f.src + ":" + f.sport, f.dst + ":" + f.dport, f.tx_packets + " pkts, " + fmtBytes(f.tx_bytes),
          f.rx_packets + " pkts, " + fmtBytes(f.rx_bytes), f.lost_packets, f.goodput_bps === undefined ? "" : fmtRate(f.goodput_bps),
          f.rx_packets ? fmtDur(f.delay_min_ns) + " / " + fmtDur(f.delay_p50_ns) + " / " + fmtDur(f.delay_p99_ns) + " / " + fmtDur(f.delay_max_ns) : "",
          f.jitter_ns === undefined ? "" : fmtDur(f.jitter_ns)])));
    }
    const ps = s.pings || [];
    if (ps.length) {
      parts.push(el("h3", {}, "Pings"));
      parts.push(table(["host", "to", "transmitted", "received", "loss", "RTT min / avg / max / mdev"],
        ps.map((q) => [q.host, q.to, q.transmitted, q.received, q.loss_pct + " %",
          q.received ? fmtDur(q.rtt_min_ns) + " / " + fmtDur(q.rtt_avg_ns) + " / " + fmtDur(q.rtt_max_ns) + " / " + fmtDur(q.rtt_mdev_ns) : ""])));
    }
    const ns = s.nodes || [];
    if (ns.length) {
      parts.push(el("h3", {}, "Nodes that dropped packets"));
      parts.push(table(["node", "dropped"], ns.map((n) => [n.node, Object.entries(n.dropped || {}).map(([k, v]) => k + " " + v).join(", ")])));
    }
    box.replaceChildren(...parts);
  }

  // ---- putting it together ------------------------------------------------------
  function renderView() {
    $("window").textContent = fmtT(S.t0) + " – " + fmtT(S.t1) + " (" + fmtDur(S.t1 - S.t0) + ")";
    renderLadder();
    renderGraphs();
    renderTable();
  }
  function renderAll() {
    renderConns();
    renderView();
    renderDetail();
  }
  renderHeader();
  renderControls();
  bindLadder();
  for (const id of ["tseq", "cwnd", "rtt", "rate"]) bindGraph($(id));
  renderSummary();
  // #packet=ID in the address opens the page on that packet, so that a
  // packet can be shared as a link.
  function fromHash() {
    const m = /^#packet=(\d+)$/.exec(location.hash);
    const p = m && packets.find((q) => q.id === +m[1]);
    if (!p || p.i === S.sel) return false;
    S.sel = p.i;
    if (S.conn && p.c !== S.conn) { S.conn = 0; $("conn").value = "0"; }
    return true;
  }
  fromHash();
  renderAll();
  // A #packet=ID typed into the address bar, or a link to one within the
  // page, selects that packet too.
  window.addEventListener("hashchange", () => { if (fromHash()) renderAll(); });
  let resize = 0;
  window.addEventListener("resize", () => { clearTimeout(resize); resize = setTimeout(renderView, 100); });
  performance.mark("netsim-drawn");
  // The captured bytes come in after the first drawing: a packet shown
  // before then is shown again with them. The page is whole (and says so
  // with data-rendered) once they are in.
  await opened.rest;
  bytesIn = true;
  performance.mark("netsim-bytes");
  if (S.sel >= 0) renderDetail();
  // ICMP messages are labelled by the type their bytes carry (icmpLabel):
  // draw the diagram and the table again once the bytes are in.
  if (packets.some((p) => p.p === 1)) { renderLadder(); renderTable(); }
  document.body.setAttribute("data-rendered", String(packets.length));
})();
