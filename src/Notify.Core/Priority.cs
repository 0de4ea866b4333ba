using System.Text.Json.Serialization;

namespace Notify.Core;

/// <summary>How urgent a notification is. High bypasses the per-user rate limit, never an opt-out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Priority>))]
public enum Priority
{
    [JsonStringEnumMemberName("normal")] Normal,
    [JsonStringEnumMemberName("high")] High,
}
