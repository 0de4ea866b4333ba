namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>Writes a new version of a template (created when new).</summary>
    public virtual Task<NotifyTemplate> UpsertTemplateAsync(string name, TemplateDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SendAsync<NotifyTemplate>(NotifyOperations.PutTemplate, Values(("name", name)), null, definition, cancellationToken);
    }

    /// <summary>A template's current version (404 when unknown).</summary>
    public virtual Task<NotifyTemplate> GetTemplateAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyTemplate>(NotifyOperations.GetTemplate, Values(("name", name)), null, null, cancellationToken);

    /// <summary>Deletes a template; only its owner or an admin app may (403 otherwise, 404 when there is none).</summary>
    /// <param name="name">The template's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task DeleteTemplateAsync(string name, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(NotifyOperations.DeleteTemplate, Values(("name", name)), cancellationToken);

    /// <summary>Renders a template with the given data, for every channel it defines; sends nothing.</summary>
    public virtual Task<TemplatePreview> PreviewTemplateAsync(string name, TemplatePreviewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync<TemplatePreview>(NotifyOperations.PreviewTemplate, Values(("name", name)), null, request, cancellationToken);
    }
}
