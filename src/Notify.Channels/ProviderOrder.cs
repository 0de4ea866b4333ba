namespace Notify.Channels;

/// <summary>
/// Checks <c>Notify:Providers:Order:*</c> at start: every name must be a provider of that channel, and configured
/// (its own section set, so its own validation ran). A typo or a provider without settings stops the start naming the
/// setting, instead of a channel quietly losing its secondary.
/// </summary>
internal sealed class ProviderOrderValidation(IReadOnlyDictionary<string, (Channel Channel, string Section, bool Configured)> known) : IValidateOptions<ProviderOrderOptions>
{
    /// <summary>The providers an order may name, with their channel and section: the ones that can fail over.</summary>
    public static readonly (string Name, Channel Channel, string Section)[] Orderable =
    [
        ("sendgrid", Channel.Email, SendGrid.SendGridOptions.Section),
        ("smtp", Channel.Email, Smtp.SmtpOptions.Section),
        ("twilio", Channel.Sms, Twilio.TwilioOptions.Section),
        ("vonage", Channel.Sms, Vonage.VonageOptions.Section),
    ];

    public ValidateOptionsResult Validate(string? name, ProviderOrderOptions options)
    {
        var errors = new List<string>();
        foreach (var (channel, key, value) in new[] { (Channel.Email, "Email", options.Email), (Channel.Sms, "Sms", options.Sms) })
        {
            var setting = $"{ProviderOrderOptions.Section}:{key}";
            var names = ProviderOrderOptions.Split(value);
            foreach (var provider in names)
            {
                if (!known.TryGetValue(provider, out var entry) || entry.Channel != channel)
                {
                    var valid = string.Join(", ", known.Where(k => k.Value.Channel == channel).Select(k => k.Key));
                    errors.Add($"{setting} names '{provider}', which is not one of the {channel.ToName()} providers ({valid}).");
                }
                else if (!entry.Configured)
                {
                    errors.Add($"{setting} names '{provider}', but no {entry.Section}:* setting is set.");
                }
            }
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            {
                errors.Add($"{setting} names a provider twice.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
