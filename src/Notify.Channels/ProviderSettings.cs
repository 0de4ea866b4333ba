using Microsoft.Extensions.Configuration;

namespace Notify.Channels;

internal static class ProviderSettings
{
    /// <summary>
    /// Whether any setting of a provider's section has a value. One set key means the operator meant to configure
    /// the provider: it is then registered and its options validated at start, so a missing key stops the start
    /// naming it instead of the channel quietly falling back to the Outbox.
    /// </summary>
    public static bool AnySet(IConfiguration configuration, string section) =>
        configuration.GetSection(section).AsEnumerable().Any(setting => !string.IsNullOrWhiteSpace(setting.Value));
}
