// A local OpenID provider for the console's sign-in tests: the `oidc-provider` npm package (pinned in the root
// package.json), on 127.0.0.1 and a free port. It issues real codes and id tokens, signed with the key the test
// gives it, so the test can also mint tokens of its own (expired, wrong audience) that the same JWKS validates.
// Settings from the environment (JSON):
//   OIDC_CLIENT  {"client_id","client_secret","redirect_uris":[...]}
//   OIDC_JWK     the private RSA signing key as a JWK (with "kid")
//   OIDC_USERS   {"<login>": {"name": "...", "oid": "...", "roles": ["Viewer"]}}
// Prints "listening <issuer>" once it answers. Sign-in needs no form: the interaction signs in the account that
// the authorization request's login_hint names and grants the requested scopes (a test stands for the person).
import http from 'node:http';
import Provider from 'oidc-provider';

const client = JSON.parse(process.env.OIDC_CLIENT);
const jwk = JSON.parse(process.env.OIDC_JWK);
const users = JSON.parse(process.env.OIDC_USERS);

const server = http.createServer();
await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    ...client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [jwk] },
  // Roles travel in the id token, as Entra ID puts app roles there.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], profile: ['name', 'oid', 'roles'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['notify-tests-only'] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const user = users[id];
    return user && {
      accountId: id,
      async claims() { return { sub: id, oid: user.oid ?? id, name: user.name ?? id, roles: user.roles ?? [] }; },
    };
  },
});

const callback = provider.callback();
server.on('request', async (req, res) => {
  if (!req.url.startsWith('/interaction/')) {
    return callback(req, res);
  }
  try {
    const details = await provider.interactionDetails(req, res);
    const login = details.params.login_hint;
    if (!users[login]) {
      res.statusCode = 400;
      return res.end('unknown login_hint');
    }
    const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});

console.log(`listening ${issuer}`);
// Ends with the test: when its standard input closes (the test process went away), so does this.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
