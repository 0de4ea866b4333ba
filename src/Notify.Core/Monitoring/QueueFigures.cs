using System.Text.Json.Serialization;

namespace Notify.Core.Monitoring;

/// <summary>A channel's work queue, or the poison queue the runtime moves its failing messages to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QueueKind>))]
public enum QueueKind
{
    [JsonStringEnumMemberName("work")] Work,
    [JsonStringEnumMemberName("poison")] Poison,
}

/// <summary>
/// One queue at one moment. <see cref="ApproximateLength"/> counts every message, visible or not (retries wait
/// invisible in the queue); <see cref="OldestAge"/> is the age of the oldest <em>visible</em> message (a peek),
/// so a retry's backoff delay does not count as backlog.
/// </summary>
public sealed record QueueFigures(string Name, Channel Channel, QueueKind Kind, long ApproximateLength, TimeSpan? OldestAge);

/// <summary>Every queue at one moment.</summary>
public sealed record QueueReport(DateTimeOffset At, IReadOnlyList<QueueFigures> Queues);

/// <summary>Reads the queues' figures (Storage implements it with Get Queue Properties and Peek Messages).</summary>
public interface IQueueInspector
{
    Task<IReadOnlyList<QueueFigures>> InspectAsync(CancellationToken cancellationToken);
}

public static class QueueKinds
{
    public static string ToName(this QueueKind kind) => kind == QueueKind.Poison ? "poison" : "work";
}
