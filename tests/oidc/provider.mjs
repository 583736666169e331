// A real OpenID provider for the SSO tests: npm's oidc-provider (OpenID
// Certified) on 127.0.0.1, a free port, issuer http://127.0.0.1:PORT.
//
//   node tests/oidc/provider.mjs CALLBACK_PREFIX SLUG[,SLUG…]
//
// prints "port N" on stdout once it listens. Two confidential clients,
// "revenge-rs" (ID tokens RS256) and "revenge-es" (ES256), secrets
// "secret-rs-0123456789abcdef" and "secret-es-0123456789abcdef"; each
// accepts CALLBACK_PREFIX/<slug>/callback for every slug given.
//
// Accounts: any id; the claims are made from it (sub = id,
// preferred_username = id, email = id@example.test (verified), name,
// groups = ["staff"] plus "media-admins" when the id starts with "boss").
// Interactions need no browser: GET /interaction/UID logs in the account
// named by ?account= (default "alice") and grants the requested scopes.
//
// Control, for the refusal tests: POST /__mode {"mode": M} makes the NEXT
// token response carry an ID token forged by this script with the
// provider's own keys: tamper (a signature byte flipped), wrong_aud,
// expired, wrong_nonce, wrong_iss, none (unsigned), hs256 (HMAC with the
// client secret), unknown_kid (a key the provider does not publish).
// GET /__stats answers {"token_requests": n}.
import { generateKeyPairSync, createHmac, sign } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const [prefix, slugList] = process.argv.slice(2);
if (!prefix || !slugList) {
  console.error('usage: provider.mjs CALLBACK_PREFIX SLUG[,SLUG…]');
  process.exit(2);
}
const redirects = slugList.split(',').map((s) => `${prefix}/${s}/callback`);

function keyPair(type, options, kid, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}
const rsa = keyPair('rsa', { modulusLength: 2048 }, 'rs-1', 'RS256');
const ec = keyPair('ec', { namedCurve: 'P-256' }, 'es-1', 'ES256');
const stray = keyPair('rsa', { modulusLength: 2048 }, 'rotated-away', 'RS256');

const clients = [
  { id: 'revenge-rs', secret: 'secret-rs-0123456789abcdef', alg: 'RS256' },
  { id: 'revenge-es', secret: 'secret-es-0123456789abcdef', alg: 'ES256' },
];

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    client_id: c.id,
    client_secret: c.secret,
    redirect_uris: redirects,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    id_token_signed_response_alg: c.alg,
  })),
  jwks: { keys: [rsa.jwk, ec.jwk] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // the claims ride in the ID token (Revenge reads no userinfo)
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['revenge-oidc-test-cookie-key'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          email: `${id}@example.test`,
          email_verified: true,
          name: `Test ${id}`,
          groups: id.startsWith('boss') ? ['staff', 'media-admins'] : ['staff'],
        };
      },
    };
  },
});

let mode = null;
let tokenRequests = 0;

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function signWith(header, payload, key) {
  const input = `${b64(header)}.${b64(payload)}`;
  const opts = header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  return `${input}.${sign('sha256', Buffer.from(input), opts).toString('base64url')}`;
}

function forge(token, clientId) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const key = header.alg === 'ES256' ? ec.privateKey : rsa.privateKey;
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'tamper': {
      const sig = Buffer.from(s, 'base64url');
      sig[10] ^= 0x01;
      return `${h}.${p}.${sig.toString('base64url')}`;
    }
    case 'wrong_aud':
      return signWith(header, { ...payload, aud: 'someone-else', azp: 'someone-else' }, key);
    case 'expired':
      return signWith(header, { ...payload, iat: now - 7200, exp: now - 3600 }, key);
    case 'wrong_nonce':
      return signWith(header, { ...payload, nonce: 'not-the-nonce-of-this-flow' }, key);
    case 'wrong_iss':
      return signWith(header, { ...payload, iss: 'https://evil.example' }, key);
    case 'none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    case 'hs256': {
      const secret = clients.find((c) => c.id === clientId).secret;
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${p}`;
      return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    }
    case 'unknown_kid':
      return signWith({ alg: 'RS256', typ: 'JWT', kid: 'rotated-away' }, payload, stray.privateKey);
    default:
      return token;
  }
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'token') {
    tokenRequests += 1;
    if (mode && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: forge(ctx.body.id_token, ctx.oidc.client.clientId) };
      mode = null;
    }
  }
});

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (prompt.name === 'login') {
    const accountId = url.searchParams.get('account') || 'alice';
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data));
  });
}

const handle = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/interaction/') && req.method === 'GET') {
      await interaction(req, res, url);
    } else if (url.pathname === '/__mode' && req.method === 'POST') {
      mode = JSON.parse((await readBody(req)) || '{}').mode || null;
      res.writeHead(204).end();
    } else if (url.pathname === '/__stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token_requests: tokenRequests }));
    } else {
      handle(req, res);
    }
  } catch (err) {
    console.error(err);
    res.writeHead(500).end(String(err.message));
  }
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`port ${port}`);
