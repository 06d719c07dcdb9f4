// Runs the wtas WebAssembly harness (src/lib.rs) under Node, with no
// dependencies beyond Node itself.
//
//   node run.mjs HARNESS.wasm HOST_DIGEST GOLDEN.npz...
//
// 1. Computes the firmware scenario's digest on every backend the module
//    has and checks each equals HOST_DIGEST (16 hex digits, the host's
//    `wtas-host-digest`).
// 2. Replays each golden trajectory on every backend and checks every field
//    of every step bit for bit (any NaN equals any NaN), as tests/golden.rs
//    does on the host.
// Prints one line per check; exits non-zero on any mismatch.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { inflateRawSync } from "node:zlib";

const [wasmPath, hostDigest, ...goldenPaths] = process.argv.slice(2);
if (!wasmPath || !/^[0-9a-f]{16}$/.test(hostDigest ?? "") || goldenPaths.length === 0) {
  console.error("usage: node run.mjs HARNESS.wasm HOST_DIGEST(16 hex) GOLDEN.npz...");
  process.exit(2);
}

// --- .npz: a zip of .npy files (numpy.savez: stored; savez_compressed: deflate).
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error("not a zip file (no end of central directory)");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("bad central directory entry");
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    if (csize === 0xffffffff || local === 0xffffffff) throw new Error(`${name}: zip64 sizes not supported`);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`${name}: bad local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    let data;
    if (method === 0) data = raw;
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${name}: compression method ${method} not supported`);
    files.set(name, data);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

function readNpy(name, buf) {
  if (buf.toString("latin1", 0, 6) !== "\x93NUMPY") throw new Error(`${name}: not .npy`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const header = buf.toString("latin1", off, off + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${name}: Fortran order`);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? "")
    .split(",").map((s) => s.trim()).filter((s) => s).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(off + headerLen);
  const copy = (Type, size) => {
    const out = new Type(count);
    new Uint8Array(out.buffer).set(body.subarray(0, count * size));
    return out;
  };
  switch (descr) {
    case "<f4": return copy(Float32Array, 4);
    case "<f8": return copy(Float64Array, 8);
    case "<i8": return Array.from(copy(BigInt64Array, 8), Number);
    case "|b1": case "|u1": return copy(Uint8Array, 1);
    default: throw new Error(`${name}: dtype ${descr} not supported`);
  }
}

function loadTrajectory(path) {
  const arrays = {};
  for (const [file, data] of readZip(readFileSync(path))) {
    arrays[file.replace(/\.npy$/, "")] = readNpy(`${basename(path)}:${file}`, data);
  }
  const need = ["n_units", "batch_size", "resist_m", "thr_base", "thr_gain", "refract_time",
    "thr_jitter", "dt", "thr0", "t", "reset", "j", "v", "s", "thr", "rfr", "tols"];
  for (const k of need) if (!(k in arrays)) throw new Error(`${path}: missing array ${k}`);
  const tr = arrays;
  const len = tr.n_units[0] * tr.batch_size[0];
  for (const f of ["j", "v", "s", "thr", "rfr", "tols"]) {
    if (tr[f].length !== len * tr.t.length) throw new Error(`${path}: ${f} has the wrong size`);
  }
  return tr;
}

// --- The module.
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const w = instance.exports;
const memory = w.memory;
const backends = [];
for (let i = 0; i < w.wasm_backend_count(); i++) {
  const ptr = w.wasm_backend_name_ptr(i);
  const len = w.wasm_backend_name_len(i);
  backends.push(Buffer.from(memory.buffer, ptr, len).toString("utf8"));
}
console.log(`wasm: backends ${backends.join(", ")}; detected ${backends[w.wasm_backend_detect()]}`);

let failures = 0;
const fail = (msg) => { failures++; console.log(`MISMATCH ${msg}`); };

// 1. The firmware scenario's digest.
for (let i = 0; i < backends.length; i++) {
  const d = BigInt.asUintN(64, w.wasm_digest(i)).toString(16).padStart(16, "0");
  console.log(`wtas-wasm-digest ${d} ${backends[i]}`);
  if (d !== hostDigest) fail(`digest on ${backends[i]}: ${d}, host ${hostDigest}`);
}

// 2. Golden replay. Memory grown here is beyond anything the module uses
// (it has no allocator), so it is the caller's to hand out.
const isNan = (bits) => (bits & 0x7fffffff) > 0x7f800000;
let steps = 0;
for (const path of goldenPaths) {
  const tr = loadTrajectory(path);
  const n = tr.n_units[0], b = tr.batch_size[0], len = n * b, S = tr.t.length;
  // The state, then the initial thresholds, then the hyperparameters (the
  // module's `Hyper`: two u32, five f32).
  const bytes = (7 * len + n + 7) * 4;
  const base = memory.grow(Math.ceil(bytes / 65536) + 1) * 65536;
  const stateAt = base, thr0At = base + 6 * len * 4, hyperAt = thr0At + n * 4;
  const fields = ["v", "s", "thr", "rfr", "tols"];
  const bits = Object.fromEntries(fields.map((f) => [f, new Uint32Array(tr[f].buffer)]));
  for (let bi = 0; bi < backends.length; bi++) {
    // Views are made after every grow: growing detaches the old buffer.
    new Float32Array(memory.buffer, thr0At, n).set(tr.thr0);
    new Uint32Array(memory.buffer, hyperAt, 2).set([n, b]);
    new Float32Array(memory.buffer, hyperAt + 8, 5).set(
      [tr.resist_m[0], tr.thr_base[0], tr.thr_gain[0], tr.refract_time[0], tr.thr_jitter[0]]);
    const state = new Float32Array(memory.buffer, stateAt, 6 * len);
    state.fill(0);
    let rc = w.wasm_init(stateAt, hyperAt, thr0At);
    if (rc !== 0) { fail(`${basename(path)}: init returned ${rc}`); continue; }
    const stateBits = new Uint32Array(memory.buffer, stateAt, 6 * len);
    let bad = null;
    for (let k = 0; k < S && !bad; k++) {
      if (tr.reset[k]) {
        rc = w.wasm_reset(stateAt, hyperAt);
        if (rc !== 0) { bad = `step ${k}: reset returned ${rc}`; break; }
      }
      state.set(tr.j.subarray(k * len, (k + 1) * len), 0);
      rc = w.wasm_advance(stateAt, hyperAt, bi, tr.t[k], tr.dt[0]);
      if (rc !== 0) { bad = `step ${k}: advance returned ${rc}`; break; }
      fields.forEach((f, fi) => {
        if (bad) return;
        for (let i = 0; i < len; i++) {
          const ours = stateBits[(fi + 1) * len + i], theirs = bits[f][k * len + i];
          if (ours !== theirs && !(isNan(ours) && isNan(theirs))) {
            bad = `step ${k}, field ${f}, row ${Math.floor(i / n)}, unit ${i % n}: ` +
              `got 0x${ours.toString(16).padStart(8, "0")}, reference 0x${theirs.toString(16).padStart(8, "0")}`;
            return;
          }
        }
      });
    }
    if (bad) fail(`${basename(path)} [${backends[bi]}]: ${bad}`);
  }
  steps += S;
}
if (failures) {
  console.log(`wasm: ${failures} mismatches`);
  process.exit(1);
}
console.log(`wasm golden: ${goldenPaths.length} files, ${steps} steps, every backend bit-exact`);
