namespace Notify.Core.Delivery;

/// <summary>What a provider made of one send. The worker switches on these; expected failures are values, not exceptions.</summary>
public abstract record DeliveryOutcome
{
    private DeliveryOutcome()
    {
    }

    /// <summary>
    /// Whether the next attempt may go to the channel's next provider: only when this provider surely did not take
    /// the message and is unhealthy or unusable for us. A timeout after the request went out is not such a case: the
    /// first provider may have sent it, and a second would send it again.
    /// </summary>
    public bool AllowsFailover => this is Transient { NotAccepted: true } or Misconfigured;

    /// <summary>The provider accepted the message.</summary>
    public sealed record Sent(string? ProviderMessageId) : DeliveryOutcome;

    /// <summary>
    /// Try again later (5xx, 429, timeout, connection failure); <see cref="RetryAfter"/> when the provider said when.
    /// <see cref="NotAccepted"/> when the provider surely did not take the message (refused before the request was
    /// sent, or answered 5xx/429): only then may the next attempt fail over to another provider.
    /// </summary>
    public sealed record Transient(string Code, string Message, TimeSpan? RetryAfter = null, bool NotAccepted = false) : DeliveryOutcome;

    /// <summary>The provider refused this message for good (invalid payload, too big): fail, no retry.</summary>
    public sealed record Permanent(string Code, string Message) : DeliveryOutcome;

    /// <summary>
    /// The address or token is dead (unregistered, invalid number, bounced): fail and stop using it.
    /// <see cref="OptedOut"/> when the recipient said no (an SMS STOP reply): the user's preference for the channel
    /// is turned off too, so no provider of the channel is asked again.
    /// </summary>
    public sealed record InvalidRecipient(string Code, string Message, bool OptedOut = false) : DeliveryOutcome;

    /// <summary>Our side is wrong (provider auth, configuration): not the recipient's fault; retried and alerted.</summary>
    public sealed record Misconfigured(string Code, string Message, TimeSpan? RetryAfter = null) : DeliveryOutcome;
}

/// <summary>A rendered message addressed to one recipient, as a provider receives it.</summary>
public sealed record OutgoingMessage(
    string DeliveryId,
    Channel Channel,
    string UserId,
    string To,
    Templates.RenderedContent Content,
    Priority Priority)
{
    public DevicePlatform? Platform { get; init; }

    public string? EventId { get; init; }

    public string? Template { get; init; }

    /// <summary>
    /// Extra e-mail headers the providers put on the wire (SendGrid's <c>headers</c>, MailKit headers): today the
    /// RFC 8058 <c>List-Unsubscribe</c> pair on e-mail of a category that is not required.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>A third-party (or local) sender for one channel, or one push platform.</summary>
public interface IDeliveryProvider
{
    /// <summary>Short name for logs and metrics, e.g. <c>fcm</c>, <c>sendgrid</c>, <c>outbox</c>.</summary>
    string Name { get; }

    bool CanSend(Channel channel, DevicePlatform? platform);

    Task<DeliveryOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
