import { runCli } from './main.js';

runCli(process.argv.slice(2)).then((r) => {
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
});
