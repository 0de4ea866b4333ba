using Notify.Core.Templates;

namespace Notify.Core.Inbox;

/// <summary>
/// Delivering on the <c>inbox</c> channel: the rendered item goes into the user's feed, with an id fixed by the
/// delivery (so the write at ingest, its safety-net message and the sweeper's re-enqueue write one item), and the
/// user's live connections hear of it. The worker then records <c>sent</c> through the delivery events like any send.
/// </summary>
public sealed class InboxFeedWriter(IInboxStore store, TemplateCatalog templates, InboxUpdates updates)
{
    public async Task<string> WriteAsync(DeliveryMessage delivery, RequestRecord request, RenderedContent content, CancellationToken cancellationToken)
    {
        var template = await templates.GetAsync(request.Template, request.TemplateVersion, cancellationToken);
        // Not the replay time: a replayed delivery is the same item.
        var createdAt = delivery.NotBefore ?? request.CreatedAt;
        var item = new InboxItem(
            InboxRules.ItemId(createdAt, delivery.Key.Id), delivery.UserId, delivery.Key.Id, request.AppKey, request.Template,
            template?.Definition.Category, content.Title ?? "", content.Body ?? "", content.Url, content.Avatar, content.Data, createdAt);
        await store.WriteAsync(item, cancellationToken);
        updates.Publish(delivery.UserId, InboxUpdateKind.Item);
        return item.Id;
    }
}
