// Bundles the console (web/) into dist/: one script and one stylesheet named by their content hash, and index.html
// pointing at them, so the app can cache the assets for a year and the page itself never. The <notify-inbox> element
// (web/inbox/) goes to dist/inbox/: its bundle named by its hash and the stable loader (element.js) naming it.
// Run by the MSBuild target in Notify.OperatorConsole.csproj when an input changed; `node build.mjs` by hand does the same.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const result = await build({
  entryPoints: { app: path.join(root, 'web/main.js') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  entryNames: '[name]-[hash]',
  outdir: dist,
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map(o => path.basename(o));
const script = outputs.find(o => o.endsWith('.js'));
const style = outputs.find(o => o.endsWith('.css'));
const html = (await readFile(path.join(root, 'web/index.html'), 'utf8'))
  .replace('{{script}}', script)
  .replace('{{style}}', style);
await writeFile(path.join(dist, 'index.html'), html);

// The inbox element: a classic script (IIFE), so a product page loads it with a plain <script src> from Notify's origin.
const inbox = await build({
  entryPoints: { element: path.join(root, 'web/inbox/element.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  entryNames: '[name]-[hash]',
  outdir: path.join(dist, 'inbox'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const bundle = Object.keys(inbox.metafile.outputs).map(o => path.basename(o)).find(o => o.endsWith('.js'));
const loader = (await readFile(path.join(root, 'web/inbox/loader.js'), 'utf8')).replace('element/__BUNDLE__', 'element/' + bundle);
await writeFile(path.join(dist, 'inbox', 'element.js'), loader);
