// Native side of the console-formatting differential test (eventloop-inspect.test.ts).
//
// Usage: node eventloop-inspect-native-runner.mjs <cases.json> <results.json>
// cases.json:   [{ "id": number, "source": string }]
// results.json: [{ "id", "lines": string[], "error"?: string }]
//
// Each case runs synchronously in a fresh `vm` context whose `console.log` is Node's own: one
// util.format line per call (what console.log writes to a pipe: no colours). Only top-level,
// synchronous code is run; a case's promises are inspected in whatever state they are in when
// console.log runs, as in real Node.
import vm from 'node:vm';
import util from 'node:util';
import fs from 'node:fs';

const [, , inFile, outFile] = process.argv;
const cases = JSON.parse(fs.readFileSync(inFile, 'utf8'));
process.on('unhandledRejection', () => {});
const results = [];
for (const { id, source } of cases) {
  const lines = [];
  const log = (...args) => lines.push(util.format(...args));
  const context = vm.createContext({ console: { log } });
  try {
    vm.runInContext(source, context, { filename: 'case.js', timeout: 2000 });
    results.push({ id, lines });
  } catch (e) {
    results.push({ id, lines, error: String(e && e.message) });
  }
}
fs.writeFileSync(outFile, JSON.stringify(results));
