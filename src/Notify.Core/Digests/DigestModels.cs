using System.Security.Cryptography;
using System.Text;

namespace Notify.Core.Digests;

/// <summary>
/// What a digest gathers over: one calling app, one user, one channel, one key. Its storage partition is a hash of
/// the four, so one app's digest never meets another's, and keys may hold characters table keys forbid.
/// </summary>
public readonly record struct DigestScope(string AppKey, string UserId, Channel Channel, string Key)
{
    public string Id
    {
        get
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{AppKey}\n{UserId}\n{Channel.ToName()}\n{Key}"));
            return Convert.ToHexStringLower(hash.AsSpan(0, 20));
        }
    }

    public static DigestScope Of(RequestRecord request, DeliveryRecord delivery) =>
        new(request.AppKey, delivery.UserId, delivery.Channel, request.Digest!.Key);
}

/// <summary>A delivery that carries a window: one per device for push, else one.</summary>
public sealed record DigestCarrier(string DeliveryId, string? DeviceId);

/// <summary>
/// The open (or last) window of a scope. A window is named by the request that opened it; its carriers are that
/// request's deliveries. Joins are ETag-conditional writes of this row, so concurrent requests serialize on it.
/// </summary>
public sealed record DigestWindow(string WindowId, DateTimeOffset OpenedAt, DateTimeOffset ClosesAt, int Count, bool Closed, IReadOnlyList<DigestCarrier> Carriers)
{
    public string? ETag { get; init; }

    /// <summary>Whether a request arriving at <paramref name="now"/> may still join.</summary>
    public bool Accepts(DateTimeOffset now) => !Closed && now < ClosesAt;
}

/// <summary>A request's place in a scope: the window it went to and that window's carriers (its idempotency record).</summary>
public sealed record DigestMembership(string RequestId, string WindowId, int Seq, IReadOnlyList<DigestCarrier> Carriers)
{
    public bool Carries => RequestId == WindowId;

    /// <summary>The carrier of <paramref name="deviceId"/>'s delivery: the same device when the carrier has it, else the first.</summary>
    public string CarrierFor(string? deviceId) =>
        (Carriers.FirstOrDefault(c => c.DeviceId == deviceId) ?? Carriers[0]).DeliveryId;
}

/// <summary>One request in a window, in arrival order. <see cref="DataJson"/> is null past <see cref="DigestSpec.MaxItems"/>: only counted.</summary>
public sealed record DigestItem(string RequestId, int Seq, DateTimeOffset At, string? DataJson);

/// <summary>What a closed window renders: <c>digest.count</c>, <c>digest.items</c> (capped), <c>digest.more</c>.</summary>
public sealed record DigestContent(int Count, IReadOnlyList<DigestItem> Items)
{
    public int More => Count - Items.Count;
}

/// <summary>How writing one request into a scope went.</summary>
public abstract record DigestWrite
{
    private DigestWrite()
    {
    }

    public sealed record Written(DigestMembership Membership) : DigestWrite;

    /// <summary>The request is in the scope already (a retried ingest, or the due-time repair): nothing was written.</summary>
    public sealed record AlreadyMember(DigestMembership Membership) : DigestWrite;

    /// <summary>The window row changed since it was read: read it again and decide again.</summary>
    public sealed record WindowMoved : DigestWrite;
}
