using System.Net.Http.Headers;

namespace Notify.Channels;

/// <summary>The HTTP <c>Retry-After</c> header, as every provider that sends one means it.</summary>
internal static class RetryAfterHeader
{
    /// <summary>How long the header asks to wait: its seconds, or its date less <paramref name="now"/> (never negative); null without one.</summary>
    public static TimeSpan? Delay(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
