using Notify.Core.Activity;
using Notify.Core.Events;

namespace Notify.Core.Tests.Architecture;

/// <summary>
/// The activity and reporting read model (<c>Notify.Core.Activity</c>) is fed by the delivery events and read by the
/// API and the console: no other feature of the core depends on it. Only the composition root (<c>Notify.Core</c>'s
/// own namespace, which registers every feature) names it.
/// </summary>
public sealed class ActivityDependencyTests
{
    private const string Activity = "Notify.Core.Activity";

    [Fact]
    public void No_other_core_feature_depends_on_the_activity_read_model()
    {
        var references = IlReferences.TypeReferences(typeof(DeliveryEvent).Assembly).ToList();
        var offenders = references
            .Where(r => r.Owner.Namespace is { } ns && ns != "Notify.Core" && ns != Activity && !ns.StartsWith(Activity + ".", StringComparison.Ordinal))
            .SelectMany(r => IlReferences.Unwrap(r.Referenced).Select(t => (r.Owner, Referenced: t)))
            .Where(r => r.Referenced.Namespace is { } ns && (ns == Activity || ns.StartsWith(Activity + ".", StringComparison.Ordinal)))
            .Select(r => $"{r.Owner.FullName} -> {r.Referenced.FullName}")
            .Distinct()
            .ToList();
        Assert.True(offenders.Count == 0, "Depends on the read model:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_sees_the_read_models_own_references()
    {
        // Guards the test above against a reader that sees nothing: the read model is seen naming its own types.
        var references = IlReferences.TypeReferences(typeof(DeliveryEvent).Assembly).ToList();
        Assert.Contains(references, r => r.Owner == typeof(StatsSeriesService) && IlReferences.Unwrap(r.Referenced).Contains(typeof(IStatusCountStore)));
        Assert.Contains(references, r => r.Owner == typeof(NotifyCoreExtensions) && r.Referenced == typeof(ActivityExtensions));
    }
}
