using System.ComponentModel.DataAnnotations;

namespace Notify.Core.Topics;

/// <summary><c>Notify:Broadcasts</c>: how a broadcast is fanned out (docs/topics.md).</summary>
public sealed class BroadcastOptions
{
    public const string Section = "Notify:Broadcasts";

    /// <summary>Subscribers planned per page, each page a request of its own; at most the most one request may name.</summary>
    [Range(1, Limits.MaxRecipients)]
    public int PageSize { get; set; } = Limits.MaxRecipients;
}
