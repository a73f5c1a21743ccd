// An independent OpenID Connect provider for Tỉnh Số's tests: the certified `oidc-provider`
// package, a test client, a few accounts carrying the claims seen in public integrations of
// the national single sign-on (see FACTS.md). Its login page accepts the account id only
// (no password): it stands in for VNeID, not for its security.
//
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URIS=a,b POST_LOGOUT_URIS=a,b node provider.mjs
// Prints "READY <issuer>" on stdout once listening.
import http from 'node:http';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;

const ACCOUNTS = {
  // a citizen with no account on Tỉnh Số yet
  dan: {
    acr: 'LoA2',
    claims: {
      SoDinhDanh: '001090000001',
      HoVaTen: 'Nguyễn Văn Dân',
      NgayThangNamSinh: '15/03/1990',
      LoaiTaiKhoan: '1',
    },
  },
  // level 1 only (basic electronic identity)
  muc1: {
    acr: 'LoA1',
    claims: { SoDinhDanh: '001090000002', HoVaTen: 'Trần Thị Mức Một', LoaiTaiKhoan: '1' },
  },
  // the same CCCD as the demo's local account `congdan`
  congdan: {
    acr: 'LoA2',
    claims: { SoDinhDanh: '074190001234', HoVaTen: 'Nguyễn Thị Hoa', LoaiTaiKhoan: '1' },
  },
};

const split = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

const configuration = {
  clients: [
    {
      client_id: process.env.CLIENT_ID || 'tinhso-test',
      client_secret: process.env.CLIENT_SECRET || 'tinhso-test-secret',
      redirect_uris: split(process.env.REDIRECT_URIS),
      post_logout_redirect_uris: split(process.env.POST_LOGOUT_URIS),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  pkce: { required: () => true },
  acrValues: ['LoA1', 'LoA2'],
  scopes: ['openid', 'profile'],
  claims: {
    openid: ['sub'],
    profile: ['SoDinhDanh', 'HoVaTen', 'NgayThangNamSinh', 'LoaiTaiKhoan', 'MaSoThue'],
  },
  conformIdTokenClaims: false, // the identity claims are in the ID token, as the portal does
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        // answer the logout confirmation at once (tests run unattended)
        ctx.body = `<!DOCTYPE html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`.replace(
          '</form>',
          '<input type="hidden" name="logout" value="yes"></form>',
        );
      },
    },
  },
  findAccount: async (ctx, id) => {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  // first-party client: no consent screen
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['tinhso-test-cookie-key'] },
  ttl: { IdToken: 600, AccessToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
};

const provider = new Provider(issuer, configuration);
const oidc = provider.callback();

function page(uid, error) {
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Test IdP</title></head>
<body><h1>Test IdP</h1>${error ? `<p>${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Tài khoản</label><input id="login" name="login" autofocus>
<button type="submit">Đăng nhập</button></form></body></html>`;
}

const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return oidc(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid));
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const login = new URLSearchParams(body).get('login');
    const account = ACCOUNTS[login];
    if (!account) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(details.uid, 'Unknown account'));
    }
    return await provider.interactionFinished(
      req,
      res,
      { login: { accountId: login, acr: account.acr } },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    return res.end(String(err));
  }
});

server.listen(port, host, () => {
  process.stdout.write(`READY ${issuer}\n`);
});
