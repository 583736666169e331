// A real S3-compatible server for the integration tests: s3rver (npm) on a
// free loopback port behind a small front proxy that can be told to fail.
//
//   node tests/s3/server.mjs [bucket]
//
// prints one line, {"port":P,"s3rver":Q,"bucket":"…","access_key":"S3RVER",
// "secret_key":"S3RVER"}, once both listen. Clients use port P. The proxy
// forwards everything to s3rver except its control routes:
//   POST /_control/cut?count=N    the next N PUTs: the headers and half of
//                                 the body reach s3rver, then both sockets
//                                 are destroyed (an upload cut mid-body)
//   POST /_control/fail?count=N   the next N requests answer 503 SlowDown
//   POST /_control/reset          forget both
//   GET  /_control/stats          {"cut":…,"failed":…,"forwarded":…}
// Bucket names cannot start with "_", so the control routes never shadow an
// object. Objects live in a temporary directory removed at exit; the
// process exits when its stdin closes (the test that started it ended).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

const bucket = process.argv[2] || 'revenge';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
const s3 = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  configureBuckets: [{ name: bucket }],
});
const { port: s3port } = await s3.run();

let cut = 0, fail = 0;
const stats = { cut: 0, failed: 0, forwarded: 0 };

function control(req, res, url) {
  const count = Math.max(0, parseInt(url.searchParams.get('count') || '1', 10) || 0);
  if (url.pathname === '/_control/cut') cut = count;
  else if (url.pathname === '/_control/fail') fail = count;
  else if (url.pathname === '/_control/reset') cut = fail = 0;
  else if (url.pathname !== '/_control/stats') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
}

const proxy = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/_control/')) return control(req, res, url);
  if (fail > 0) {
    fail--;
    stats.failed++;
    req.resume();
    res.writeHead(503, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>' +
            '<Message>Please reduce your request rate.</Message></Error>');
    return;
  }
  const up = http.request({ host: '127.0.0.1', port: s3port, method: req.method, path: req.url,
                            headers: req.headers });
  up.on('response', (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', () => res.destroy());
  if (req.method === 'PUT' && cut > 0) {
    cut--;
    stats.cut++;
    const total = parseInt(req.headers['content-length'] || '0', 10);
    let sent = 0;
    const half = Math.floor(total / 2);
    req.on('data', (chunk) => {
      if (sent >= half) return;
      const piece = chunk.subarray(0, half - sent);
      sent += piece.length;
      up.write(piece);
      if (sent >= half) {
        // a connection lost mid-upload: neither side sees the rest
        setImmediate(() => {
          up.destroy();
          req.socket.destroy();
        });
      }
    });
    if (half === 0) {
      up.destroy();
      req.socket.destroy();
    }
    return;
  }
  stats.forwarded++;
  req.pipe(up);
});
proxy.listen(0, '127.0.0.1', () => {
  const line = { port: proxy.address().port, s3rver: s3port, bucket,
                 access_key: 'S3RVER', secret_key: 'S3RVER' };
  process.stdout.write(JSON.stringify(line) + '\n');
});

async function stop() {
  proxy.close();
  await s3.close().catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
