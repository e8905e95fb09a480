// The one command every runtime runs: `node run.js --exercise io-db --variant async ...`
// (a WebContainer runs it in this folder, mounted as is; the tests spawn it with Node 24).
import { main } from './_runtime/node-adapter.js';

main(process.argv.slice(2));
