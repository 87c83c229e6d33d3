// `node same-document.mjs served.json committed.json`: fails, naming the first differing
// JSON pointers, unless both files hold the same JSON value (key order aside).
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";

const [servedPath, committedPath] = process.argv.slice(2);
if (servedPath === undefined || committedPath === undefined) {
  console.error("usage: node same-document.mjs <served.json> <committed.json>");
  process.exit(2);
}
const served = JSON.parse(readFileSync(servedPath, "utf8"));
const committed = JSON.parse(readFileSync(committedPath, "utf8"));

const differences = [];
const show = (value) => (value === undefined ? "(absent)" : JSON.stringify(value).slice(0, 160));
const escape = (key) => String(key).replaceAll("~", "~0").replaceAll("/", "~1");
function compare(a, b, pointer) {
  if (isDeepStrictEqual(a, b)) return;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      compare(a[key], b[key], `${pointer}/${escape(key)}`);
    }
    return;
  }
  differences.push(`  ${pointer || "/"}\n    served:    ${show(a)}\n    committed: ${show(b)}`);
}
compare(served, committed, "");

if (differences.length > 0) {
  console.error(`the served /openapi.json differs from ${committedPath} at ${differences.length} place(s):`);
  console.error(differences.slice(0, 20).join("\n"));
  process.exit(1);
}
console.log(`the served /openapi.json is ${committedPath}`);
