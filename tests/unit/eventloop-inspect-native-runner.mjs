// Native side of the console-formatting differential test (eventloop-inspect.test.ts).
//
// Usage: node eventloop-inspect-native-runner.mjs <cases.json> <results.json>
// cases.json:   [{ "id": number, "source": string }]
// results.json: [{ "id", "lines": string[], "error"?: string }]
//
// Each case runs synchronously in a fresh `vm` context whose `console` is a real Node Console
// writing to a collecting stream without colours (what console.log writes to a pipe): one entry
// per write, i.e. per console.log / console.table call. Only top-level,
// synchronous code is run; a case's promises are inspected in whatever state they are in when
// console.log runs, as in real Node.
import vm from 'node:vm';
import fs from 'node:fs';
import { Console } from 'node:console';
import { Writable } from 'node:stream';

const [, , inFile, outFile] = process.argv;
const cases = JSON.parse(fs.readFileSync(inFile, 'utf8'));
process.on('unhandledRejection', () => {});
const results = [];
for (const { id, source } of cases) {
  const lines = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk).replace(/\n$/, ''));
      cb();
    },
  });
  const con = new Console({ stdout: stream, stderr: stream, colorMode: false });
  const context = vm.createContext({ console: { log: con.log.bind(con), table: con.table.bind(con) } });
  try {
    vm.runInContext(source, context, { filename: 'case.js', timeout: 2000 });
    results.push({ id, lines });
  } catch (e) {
    results.push({ id, lines, error: String(e && e.message) });
  }
}
fs.writeFileSync(outFile, JSON.stringify(results));
