// A real S3-compatible server for the integration tests: s3rver (npm) on a
// free loopback port behind a small front proxy that can be told to fail.
//
// Two things s3rver 3.7 does not do that S3 (and MinIO) do, the proxy does
// in front of it, so the tests hold the client to S3's rules:
//   - it checks AWS Signature V4 (s3rver only checks that the access key
//     exists: "Signature version 4 calculation is unimplemented") with an
//     implementation of its own on node:crypto, and the body against
//     x-amz-content-sha256; a mismatch is S3's 403 SignatureDoesNotMatch /
//     400 XAmzContentSHA256Mismatch;
//   - it buffers a PUT's body and forwards it only once complete: s3rver
//     writes into the object's file as bytes arrive, so a cut upload would
//     leave a truncated object, where S3 shows an object only once its
//     upload completed.
//
//   node tests/s3/server.mjs [bucket]
//
// prints one line, {"port":P,"s3rver":Q,"bucket":"…","access_key":"S3RVER",
// "secret_key":"S3RVER"}, once both listen. Clients use port P. The proxy
// forwards everything to s3rver except its control routes:
//   POST /_control/cut?count=N    the next N PUTs: the headers and about
//                                 half of the body arrive, then the client's
//                                 socket is destroyed (an upload cut
//                                 mid-body; nothing reaches s3rver)
//   POST /_control/fail?count=N   the next N requests answer 503 SlowDown
//   POST /_control/reset          forget both
//   GET  /_control/stats          {"cut":…,"failed":…,"forwarded":…,"refused":…}
// Bucket names cannot start with "_", so the control routes never shadow an
// object. Objects live in a temporary directory removed at exit; the
// process exits when its stdin closes (the test that started it ended).
import crypto from 'node:crypto';
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
const stats = { cut: 0, failed: 0, forwarded: 0, refused: 0 };
const secrets = new Map([['S3RVER', 'S3RVER']]);

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();
// RFC 3986 unreserved characters stay, everything else is %XX (upper case)
const enc = (s) => Buffer.from(s, 'utf8').toString('binary').split('').map((c) =>
  /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'),
).join('');

function s3error(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
          `<Message>${message}</Message></Error>`);
}

// null when req (with body) is signed right with a known key, else why not
function verify(req, body) {
  const auth = req.headers.authorization;
  if (!auth) return null; // anonymous: s3rver decides (reads are public)
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return ['AuthorizationHeaderMalformed', 400];
  const [, key, day, region, signed, signature] = m;
  const secret = secrets.get(key);
  if (!secret) return ['InvalidAccessKeyId', 403];
  const date = req.headers['x-amz-date'] || '';
  if (date.slice(0, 8) !== day) return ['AuthorizationHeaderMalformed', 400];
  const hash = req.headers['x-amz-content-sha256'];
  if (!hash) return ['InvalidRequest', 400];
  if (hash !== 'UNSIGNED-PAYLOAD' && hash !== sha256(body)) return ['XAmzContentSHA256Mismatch', 400];
  const names = signed.split(';');
  if (!names.includes('host')) return ['AuthorizationHeaderMalformed', 400];
  const [rawPath, rawQuery = ''] = req.url.split('?');
  const path = rawPath.split('/').map((seg) => enc(decodeURIComponent(seg))).join('/');
  const query = rawQuery === '' ? '' : rawQuery.split('&').map((p) => {
    const i = p.indexOf('=');
    const k = decodeURIComponent(i < 0 ? p : p.slice(0, i));
    const v = i < 0 ? '' : decodeURIComponent(p.slice(i + 1));
    return [enc(k), enc(v)];
  }).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const lines = names.map((n) => {
    const v = req.headers[n];
    if (v === undefined) return null;
    return `${n}:${String(v).trim().replace(/\s+/g, ' ')}\n`;
  });
  if (lines.includes(null)) return ['AuthorizationHeaderMalformed', 400];
  const canonical = [req.method, path, query, lines.join(''), signed, hash].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  let k = hmac('AWS4' + secret, day);
  for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part);
  const want = crypto.createHmac('sha256', k).update(toSign).digest('hex');
  if (!crypto.timingSafeEqual(Buffer.from(want), Buffer.from(signature)))
    return ['SignatureDoesNotMatch', 403];
  return null;
}

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
  if (req.method === 'PUT' && cut > 0) {
    // a connection lost mid-upload: part of the body arrives, then nothing
    cut--;
    stats.cut++;
    const half = Math.floor(parseInt(req.headers['content-length'] || '0', 10) / 2);
    let got = 0;
    const drop = () => req.socket.destroy();
    if (half === 0) return drop();
    req.on('data', (chunk) => {
      got += chunk.length;
      if (got >= half) setImmediate(drop);
    });
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('error', () => {});
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const why = verify(req, body);
    if (why) {
      stats.refused++;
      return s3error(res, why[1], why[0], 'refused by the test proxy');
    }
    stats.forwarded++;
    const up = http.request({ host: '127.0.0.1', port: s3port, method: req.method,
                              path: req.url, headers: req.headers });
    up.on('response', (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end(body);
  });
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
