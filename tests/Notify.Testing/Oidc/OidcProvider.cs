using System.Diagnostics;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Notify.Testing.Oidc;

/// <summary>A person the local provider knows: the login (the authorization request's login_hint), name, object id and role claims.</summary>
public sealed record OidcUser(string Login, string Name, string ObjectId, IReadOnlyList<string> Roles);

/// <summary>
/// A real OpenID provider for the tests: the npm package <c>oidc-provider</c> run by node from
/// <c>tests/Notify.Testing/Oidc/oidc-provider.mjs</c> on 127.0.0.1 and a free port (installed by <c>npm ci</c> at the
/// repository root, as scripts/test.sh does). It signs with a key this class makes, so a test can also mint tokens
/// the provider's own JWKS validates (<see cref="Mint"/>): expired, for another audience, without a nonce.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string KeyId = "notify-test-key";

    private readonly Process _process;
    private readonly RSA _rsa;

    private OidcProvider(Process process, RSA rsa, string issuer, string clientId, string clientSecret)
    {
        (_process, _rsa, Issuer, ClientId, ClientSecret) = (process, rsa, issuer, clientId, clientSecret);
    }

    /// <summary><c>http://127.0.0.1:port</c>: the issuer and the authority to configure.</summary>
    public string Issuer { get; }

    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>Starts the provider with one client (its redirect URIs) and the users; returns once it listens.</summary>
    public static async Task<OidcProvider> StartAsync(IReadOnlyList<string> redirectUris, IReadOnlyList<OidcUser> users, CancellationToken cancellationToken)
    {
        var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var jwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = KeyId, ["alg"] = "RS256", ["use"] = "sig",
            ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!), ["d"] = B64(p.D!), ["p"] = B64(p.P!), ["q"] = B64(p.Q!),
            ["dp"] = B64(p.DP!), ["dq"] = B64(p.DQ!), ["qi"] = B64(p.InverseQ!),
        };
        var (clientId, clientSecret) = ("notify-console-" + Guid.NewGuid().ToString("N")[..8], Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Azurite.RepositoryRoot(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Azurite.RepositoryRoot(), "tests", "Notify.Testing", "Oidc", "oidc-provider.mjs"));
        start.Environment["OIDC_CLIENT"] = JsonSerializer.Serialize(new Dictionary<string, object> { ["client_id"] = clientId, ["client_secret"] = clientSecret, ["redirect_uris"] = redirectUris });
        start.Environment["OIDC_JWK"] = JsonSerializer.Serialize(jwk);
        start.Environment["OIDC_USERS"] = JsonSerializer.Serialize(users.ToDictionary(u => u.Login, u => new { name = u.Name, oid = u.ObjectId, roles = u.Roles }));
        var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("listening ", StringComparison.Ordinal))
                {
                    return new OidcProvider(process, rsa, line["listening ".Length..].Trim(), clientId, clientSecret);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The local OpenID provider did not start (run npm ci at the repository root): " + await errors);
    }

    /// <summary>
    /// An id token signed with the provider's own key (or <paramref name="forgedWith"/>, under the same key id), as
    /// the provider would issue it unless the arguments say otherwise.
    /// </summary>
    public string Mint(OidcUser user, string nonce, string? audience = null, DateTimeOffset? expires = null, RSA? forgedWith = null)
    {
        var now = DateTimeOffset.UtcNow;
        var exp = expires ?? now.AddMinutes(10);
        var issuedAt = exp < now ? exp.AddMinutes(-10) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience ?? ClientId,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = exp.UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = user.Login, ["oid"] = user.ObjectId, ["name"] = user.Name, ["roles"] = user.Roles.ToArray(), ["nonce"] = nonce },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(forgedWith ?? _rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _rsa.Dispose();
    }

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
}
