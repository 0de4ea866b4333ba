using Notify.Core.Templates;
using Notify.Core.Tracking;

namespace Notify.Core.Delivery;

/// <summary>What rendering one delivery gave: the message for the provider, or why there is none.</summary>
public abstract record RenderResult
{
    private RenderResult()
    {
    }

    public sealed record Rendered(OutgoingMessage Message) : RenderResult;

    public sealed record Failed(string Reason) : RenderResult;

    /// <summary>A delivery of a digest request that another delivery carries: nothing to send.</summary>
    public sealed record Digested(string CarrierId) : RenderResult;
}

/// <summary>
/// Renders a delivery from its request's template version and data, in the recipient's locale, then applies the
/// post-render step (e-mail tracking). The content is rendered here, never carried on the queue.
/// </summary>
public sealed class DeliveryRenderer(TemplateCatalog templates, DeliveryTracking tracking, Digests.DigestService digests, Categories.CategoryCatalog categories, Preferences.PreferenceLinks links)
{
    public async Task<RenderResult> RenderAsync(DeliveryMessage delivery, RequestRecord request, CancellationToken cancellationToken)
    {
        var template = await templates.GetAsync(request.Template, request.TemplateVersion, cancellationToken);
        if (template is null)
        {
            return new RenderResult.Failed($"Template '{request.Template}' no longer exists.");
        }
        JsonDocument? digest = null;
        if (request.Digest is not null)
        {
            // A digest request's delivery: the carrier closes its window here and renders its items, once per send.
            switch (await digests.ResolveAsync(delivery, request, cancellationToken))
            {
                case Digests.DigestResolution.Digested digested:
                    return new RenderResult.Digested(digested.CarrierId);
                case Digests.DigestResolution.Carry carry:
                    digest = JsonDocument.Parse(Digests.DigestRules.ToJson(carry.Content));
                    break;
            }
        }
        using var data = JsonDocument.Parse(request.DataJson);
        using var digestDocument = digest;
        // From the cache: the category definitions cost no storage operation per delivery.
        var category = await categories.GetAsync(template.Definition.Category, cancellationToken) ?? await categories.GetAsync(null, cancellationToken);
        var linkValues = links.For(delivery.UserId, request.AppKey, category!.Key);
        var rendered = TemplateRenderer.Render(template, delivery.Channel, delivery.Locale, data.RootElement, delivery.UserId, digest?.RootElement, strictDigest: false, linkValues);
        if (rendered.Missing.Any(m => m.StartsWith("links.", StringComparison.Ordinal)))
        {
            return new RenderResult.Failed($"Template '{request.Template}' uses links.preferences or links.unsubscribe, but preference links are not configured (Notify:PreferenceLinks:BaseUrl).");
        }
        if (!rendered.Succeeded)
        {
            return new RenderResult.Failed(rendered.Failure is { } failure ? $"Template '{request.Template}': {failure.Message}."
                : rendered.Missing.Count > 0
                ? $"The template reads {string.Join(", ", rendered.Missing)}, which the request lacks (the template changed after ingest?)."
                : $"Template '{request.Template}' has no {delivery.Channel.ToName()} content.");
        }
        var message = new OutgoingMessage(delivery.Key.Id, delivery.Channel, delivery.UserId, delivery.Address ?? "", rendered.Content!, request.Priority)
        {
            Platform = delivery.Platform,
            EventId = request.EventId,
            Template = request.Template,
            Headers = delivery.Channel == Channel.Email ? links.UnsubscribeHeaders(delivery.UserId, request.AppKey, category) : null,
        };
        return new RenderResult.Rendered(tracking.Decorate(message));
    }
}
