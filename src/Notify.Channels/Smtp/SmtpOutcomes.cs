namespace Notify.Channels.Smtp;

/// <summary>Where in the SMTP dialogue a reply came.</summary>
internal enum SmtpStage
{
    /// <summary>Greeting, EHLO, STARTTLS.</summary>
    Connect,
    Auth,
    MailFrom,
    RcptTo,
    Data,
}

/// <summary>
/// Turns an SMTP reply (RFC 5321 basic code, and where in the dialogue it came) into an outcome. The mapping is in
/// docs/providers-email-sms.md: 4xx transient; 530/534/535/538 and a refused sender misconfiguration; 550/551/553
/// (and 5.1.x) on a recipient an invalid recipient; every other 5xx permanent.
/// </summary>
internal static class SmtpOutcomes
{
    private const int MaxMessageLength = 300;

    public static DeliveryOutcome Map(int code, SmtpStage stage, string? text, string recipient)
    {
        var message = Redact(string.IsNullOrWhiteSpace(text) ? $"The SMTP relay answered {code}." : text.Trim(), recipient);
        var name = $"smtp-{code}";
        return (code, stage) switch
        {
            // 4xx: the relay could not take it now (busy, greylisting, out of storage): it did not take the message.
            // It said so before taking anything (a 4xx after the data is a refusal of it too), so another provider may.
            (>= 400 and < 500, _) => new DeliveryOutcome.Transient(name, message, NotAccepted: true),
            // Authentication required, too weak, or refused: every e-mail would fail alike until we fix our settings.
            (530 or 534 or 535 or 538, _) or (_, SmtpStage.Auth) => new DeliveryOutcome.Misconfigured(name, message),
            // The relay will not send as our From address: ours to fix, not the recipient's.
            (_, SmtpStage.MailFrom) => new DeliveryOutcome.Misconfigured(name, message),
            // 550 no such mailbox, 551 user not local, 553 mailbox name not allowed: this address is dead.
            (550 or 551 or 553, SmtpStage.RcptTo) => new DeliveryOutcome.InvalidRecipient(name, message),
            // Refused before a message was on the table (greeting 554, STARTTLS refused): the relay is unusable for us.
            (_, SmtpStage.Connect) => new DeliveryOutcome.Misconfigured(name, message),
            // 552 too big, 554 rejected as spam or policy, other 5xx on a recipient or the data: this message, for good.
            _ => new DeliveryOutcome.Permanent(name, message),
        };
    }

    /// <summary>Relays quote the address in some replies ("550 5.1.1 &lt;ann@example.com&gt;: user unknown").</summary>
    internal static string Redact(string text, string recipient)
    {
        if (recipient.Length > 0)
        {
            text = text.Replace(recipient, "[recipient]", StringComparison.OrdinalIgnoreCase);
        }
        return text.Length <= MaxMessageLength ? text : text[..MaxMessageLength];
    }
}
