// Preloaded with `node --require` by the benchmark: appends this process's peak RSS (KiB) to $BENCH_RSS_OUT at exit.
'use strict';
const { appendFileSync } = require('node:fs');
const out = process.env.BENCH_RSS_OUT;
if (out) {
  process.on('exit', () => {
    try {
      appendFileSync(out, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // the benchmark reports a missing value
    }
  });
}
