// Copies the front-end libraries that the pages load from node_modules into static/vendor.
// No bundler: the site ships each library's own minified build, served by Django.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
const files = [
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["hls.js/dist/hls.light.min.js", "hls/hls.light.min.js"],
  // Its source map, which the file names: collectstatic's manifest needs it to exist.
  ["hls.js/dist/hls.light.min.js.map", "hls/hls.light.min.js.map"],
];
const versions = {};
for (const [from, to] of files) {
  const target = join(vendor, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target);
  const pkg = from.split("/")[0];
  versions[pkg] = JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"))).version;
}
writeFileSync(join(vendor, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`static/vendor: ${Object.entries(versions).map(([k, v]) => `${k}@${v}`).join(", ")}`);
