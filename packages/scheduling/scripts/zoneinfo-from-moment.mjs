#!/usr/bin/env node
// Writes a private zoneinfo directory (TZif files, RFC 8536) from the IANA data that the npm
// package moment-timezone ships, so the python-dateutil oracle can read exactly the tzdata
// release that Node's ICU uses without touching the system's /usr/share/zoneinfo.
//   node zoneinfo-from-moment.mjs <moment-timezone package dir> <output dir>
// moment-timezone's data is zdump output of IANA's own zic build (transitions to 2499), so each
// zone is written as its transitions, with no POSIX footer. The release is written to +VERSION.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const [pkgDir, outDir] = process.argv.slice(2).map((p) => resolve(p));
if (!pkgDir || !outDir) {
  console.error('usage: zoneinfo-from-moment.mjs <moment-timezone dir> <output dir>');
  process.exit(64);
}
const require = createRequire(join(pkgDir, 'package.json'));
const moment = require(pkgDir);
const data = JSON.parse(readFileSync(join(pkgDir, 'data', 'packed', 'latest.json'), 'utf8'));

/** One TZif data block (RFC 8536 §3.2) with `size`-byte transition times. */
function dataBlock(transitions, types, chars, size) {
  const fits = size === 8 ? transitions : transitions.filter((t) => t.at >= -(2 ** 31) && t.at < 2 ** 31);
  const counts = [0, 0, 0, fits.length, types.length, chars.length];
  const header = Buffer.alloc(44);
  header.write('TZif', 0, 'ascii');
  header.write('2', 4, 'ascii');
  for (const [i, n] of counts.entries()) header.writeUInt32BE(n, 20 + 4 * i);
  const body = Buffer.alloc(fits.length * (size + 1) + types.length * 6 + chars.length);
  let o = 0;
  for (const t of fits) o = size === 8 ? body.writeBigInt64BE(BigInt(t.at), o) : body.writeInt32BE(t.at, o);
  for (const t of fits) o = body.writeUInt8(t.type, o);
  for (const type of types) {
    o = body.writeInt32BE(type.utoff, o);
    o = body.writeUInt8(0, o);
    o = body.writeUInt8(type.abbrIndex, o);
  }
  chars.copy(body, o);
  return Buffer.concat([header, body]);
}

/** TZif bytes for a zone. Time type 0 is the earliest period; the last type is the final one,
 * which is what readers (Python's zoneinfo among them) use after the last transition. */
function tzif(zone) {
  const periods = zone.offsets.map((minutesWest, i) => ({
    utoff: Math.round(-minutesWest * 60),
    abbr: zone.abbrs[i] ?? '',
  }));
  const types = [];
  const typeOf = (p, fresh) => {
    let index = fresh ? -1 : types.findIndex((t) => t.utoff === p.utoff && t.abbr === p.abbr);
    if (index < 0) index = types.push({ ...p }) - 1;
    return index;
  };
  const indices = periods.map((p, i) => (i === periods.length - 1 ? -1 : typeOf(p, false)));
  indices[periods.length - 1] = typeOf(periods[periods.length - 1], periods.length > 1);
  const abbrs = [...new Set(types.map((t) => t.abbr))];
  const chars = Buffer.from(abbrs.map((a) => `${a}\0`).join(''), 'ascii');
  for (const t of types) t.abbrIndex = chars.indexOf(`${t.abbr}\0`);
  const transitions = zone.untils
    .slice(0, -1)
    .map((until, i) => ({ at: Math.round(until / 1000), type: indices[i + 1] }));
  return Buffer.concat([
    dataBlock(transitions, types, chars, 4),
    dataBlock(transitions, types, chars, 8),
    Buffer.from('\n\n', 'ascii'),
  ]);
}

function write(name, bytes) {
  const file = join(outDir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

const byName = new Map();
for (const packed of data.zones) {
  const zone = moment.tz.unpack(packed);
  byName.set(zone.name, tzif(zone));
}
for (const link of data.links) {
  const [target, alias] = link.split('|');
  if (byName.has(target)) byName.set(alias, byName.get(target));
}
for (const [name, bytes] of byName) write(name, bytes);
write('+VERSION', `${data.version}\n`);
console.log(`wrote ${byName.size} zones of tzdata ${data.version} to ${outDir}`);
