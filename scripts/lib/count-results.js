// Sums the <assembly> counts of xUnit v2+ XML result files and prints "tests: N passed, N failed[, N skipped]".
// A missing or unreadable file counts as a failure: a test project that crashed must not look green.
const fs = require('fs');
let passed = 0, failed = 0, skipped = 0, broken = 0;
for (const file of process.argv.slice(2)) {
  let xml;
  try { xml = fs.readFileSync(file, 'utf8'); } catch { broken++; console.error(`missing results: ${file}`); continue; }
  const assemblies = [...xml.matchAll(/<assembly\b[^>]*>/g)];
  if (assemblies.length === 0) { broken++; console.error(`no results in ${file}`); continue; }
  for (const [tag] of assemblies) {
    const attr = (name) => Number((tag.match(new RegExp(`\\b${name}="(\\d+)"`)) || [0, 0])[1]);
    passed += attr('passed');
    failed += attr('failed') + attr('errors');
    skipped += attr('skipped') + attr('not-run');
  }
}
failed += broken;
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 ? 1 : 0);
