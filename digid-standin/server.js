// A stand-in for a DigiD broker (issue 11): panva's oidc-provider on a loopback port,
// with a few test people (a BSN each, and the DigiD level as the SAML class in `acr`).
// For tests and the demo only; never in production.
//
// Environment:
//   STANDIN_PORT           port on 127.0.0.1 (0: a free one; the first line printed says which)
//   STANDIN_CLIENT_ID      the portal's client id            (default: vt-portal)
//   STANDIN_CLIENT_SECRET  the portal's client secret        (default: standin-secret)
//   STANDIN_REDIRECT_URIS  comma-separated callback addresses of the portal
//   STANDIN_POST_LOGOUT_REDIRECT_URIS  where the broker's logout may send the browser back
//                          (default: the front page, "/", of each callback's origin)
//
// The first line on stdout is JSON: {"issuer": "http://127.0.0.1:PORT"}.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const AC = 'urn:oasis:names:tc:SAML:2.0:ac:classes:';
// login name -> person. Level basis/midden/substantieel/hoog as DigiD sends it.
const PEOPLE = {
  substantieel: { bsn: '999993653', acr: `${AC}Smartcard` },
  hoog: { bsn: '999990019', acr: `${AC}SmartcardPKI` },
  midden: { bsn: '999991772', acr: `${AC}MobileTwoFactorContract` },
  basis: { bsn: '999992570', acr: `${AC}PasswordProtectedTransport` },
  'bsn-fout': { bsn: '123456789', acr: `${AC}Smartcard` },
  'zonder-bsn': { bsn: null, acr: `${AC}Smartcard` },
  // DigiD Machtigen: 999993653 acts for 999990019.
  machtiging: { bsn: null, acting: '999993653', legal: '999990019', acr: `${AC}Smartcard` },
};
const ACTING = 'urn:nl-eid-gdi:1.0:ActingSubjectID';
const LEGAL = 'urn:nl-eid-gdi:1.0:LegalSubjectID';

const port = Number(process.env.STANDIN_PORT || 0);
const clientId = process.env.STANDIN_CLIENT_ID || 'vt-portal';
const clientSecret = process.env.STANDIN_CLIENT_SECRET || 'standin-secret';
const redirectUris = (process.env.STANDIN_REDIRECT_URIS || 'http://127.0.0.1:5000/verzoek/digid/terug')
  .split(',').map((s) => s.trim()).filter(Boolean);

const postLogoutUris = (process.env.STANDIN_POST_LOGOUT_REDIRECT_URIS
  || redirectUris.map((u) => `${new URL(u).origin}/`).join(','))
  .split(',').map((s) => s.trim()).filter(Boolean);

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    // acr with the openid scope: the level of assurance is in every ID token, as a DigiD broker sends it.
    claims: { openid: ['sub', 'acr'], bsn: ['bsn', ACTING, LEGAL] },
    acrValues: Object.values(PEOPLE).map((p) => p.acr).filter((v, i, a) => a.indexOf(v) === i),
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const person = PEOPLE[id];
      if (!person) return undefined;
      return {
        accountId: id,
        async claims() {
          const out = { sub: id };
          if (person.bsn) out.bsn = person.bsn;
          if (person.acting) Object.assign(out, { [ACTING]: person.acting, [LEGAL]: person.legal });
          return out;
        },
      };
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Fout</title><h1>Fout</h1><pre>${escapeHtml(JSON.stringify(out))}</pre>`;
    },
  });
  provider.proxy = false;
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const m = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        const buttons = Object.keys(PEOPLE).map((name) => `<button name="person" value="${name}">${name}</button>`).join(' ');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!doctype html><html lang="nl"><title>DigiD (stand-in)</title>
<h1>Inloggen met DigiD (stand-in)</h1><p>Kies een testpersoon.</p>
<form method="post" action="/interaction/${details.uid}/login">${buttons}
<button name="cancel" value="1">Annuleren</button></form></html>`);
      }
      const body = await new Promise((resolve) => {
        let data = '';
        req.on('data', (c) => { data += c; });
        req.on('end', () => resolve(new URLSearchParams(data)));
      });
      let result;
      const name = body.get('person');
      if (body.get('cancel') || !PEOPLE[name]) {
        result = { error: 'access_denied', error_description: 'cancelled by the person' };
      } else {
        const grant = new provider.Grant({ accountId: name, clientId: details.params.client_id });
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        result = { login: { accountId: name, acr: PEOPLE[name].acr }, consent: { grantId } };
      }
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end(`interaction failed: ${err.name}`);
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
