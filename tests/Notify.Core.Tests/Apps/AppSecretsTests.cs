using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Notify.Core.Configuration;

namespace Notify.Core.Tests.Apps;

public sealed class AppSecretsTests
{
    [Fact]
    public void A_new_secret_is_32_random_bytes_in_base64url()
    {
        var secret = AppSecrets.NewSecret();

        Assert.Equal(43, secret.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.NotEqual(secret, AppSecrets.NewSecret());
    }

    [Fact]
    public void The_stored_hash_is_the_sha256_of_the_secret_and_never_the_secret()
    {
        var secret = AppSecrets.NewSecret();

        var hash = AppSecrets.Hash(secret);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), hash);
        Assert.DoesNotContain(secret, hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_finds_the_matching_secret_among_several_and_nothing_for_a_wrong_one()
    {
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 60], Gen.String[Gen.Char.AlphaNumeric, 1, 60]).Sample((a, b) =>
        {
            var secrets = new[] { new AppSecret("sec_1", AppSecrets.Hash(a), default, null), new AppSecret("sec_2", AppSecrets.Hash(b), default, null) };
            return AppSecrets.Match(b, secrets)?.Hash == AppSecrets.Hash(b)
                && AppSecrets.Match(a + "x", secrets) is null == (a + "x" != b);
        });
    }

    [Fact]
    public void A_secret_past_its_expiry_is_not_active()
    {
        var now = DateTimeOffset.UtcNow;
        var app = new AppRecord("k", "n",
            [new AppSecret("sec_a", "h1", now, now.AddSeconds(-1)), new AppSecret("sec_b", "h2", now, now.AddSeconds(1)), new AppSecret("sec_c", "h3", now, null)],
            [Scopes.Admin], false, now);

        Assert.Equal(["sec_b", "sec_c"], app.ActiveSecrets(now).Select(s => s.Id));
    }

    [Fact]
    public void Seeded_hashes_get_a_stable_id_that_does_not_reveal_the_hash()
    {
        var hash = AppSecrets.Hash("demo-secret-change-me");

        var id = AppSecrets.IdForHash(hash);

        Assert.Equal(id, new AppRecord("k", "n", [hash], [Scopes.Admin], false, default).Secrets[0].Id);
        Assert.Matches(AppSecrets.SecretIdPattern(), id);
        Assert.DoesNotContain(id[4..], hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ann@example.com", "a***@e***.com")]
    [InlineData("+821012345678", "+82********78")]
    public void Masks_keep_too_little_to_recover_the_value(string value, string masked)
    {
        Assert.Equal(masked, value.Contains('@', StringComparison.Ordinal) ? LogMask.Email(value) : LogMask.Phone(value));
    }

    [Fact]
    public void Token_and_secret_masks_keep_only_a_prefix_and_the_length()
    {
        var secret = AppSecrets.NewSecret();

        Assert.Equal("***(43)", LogMask.Secret(secret));
        Assert.Equal(secret[..4] + "***(43)", LogMask.Token(secret));
    }

    [Fact]
    public void Out_of_range_security_settings_fail_validation_naming_the_setting()
    {
        var options = new SecurityOptions();
        options.Quota.Burst = 0;
        options.FailedAuth.Window = TimeSpan.Zero;
        options.Quota.Apps["app_1"] = new QuotaLimit { RequestsPerSecond = -1 };

        var failures = SettingsValidation.Failures(options, SecurityOptions.Section);

        Assert.Contains(failures, f => f.StartsWith("Notify:Security:Quota:Burst", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Notify:Security:FailedAuth:Window", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Notify:Security:Quota:Apps:app_1:RequestsPerSecond", StringComparison.Ordinal));
    }

    [Fact]
    public void Limits_default_to_the_constants_and_cannot_exceed_what_storage_holds()
    {
        var defaults = new NotifyOptions().Limits;
        Assert.Equal((Limits.MaxBodyBytes, Limits.MaxRecipients, Limits.MaxDataBytes, Limits.MaxTemplateBytes, Limits.MaxDevicesPerUser),
            (defaults.MaxBodyBytes, defaults.MaxRecipients, defaults.MaxDataBytes, defaults.MaxTemplateBytes, defaults.MaxDevicesPerUser));

        var options = new NotifyOptions();
        options.Limits.MaxTemplateBytes = 65 * 1024;
        var failures = SettingsValidation.Failures(options, NotifyOptions.Section);

        Assert.StartsWith("Notify:Limits:MaxTemplateBytes", Assert.Single(failures), StringComparison.Ordinal);
    }
}
