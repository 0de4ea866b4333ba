namespace Notify.Client;

public partial class NotifyClient
{
    /// <summary>
    /// Creates or replaces a category (scope <c>templates:write</c>); only the app that created it or an admin app may
    /// change it (403 otherwise). Bad input is a 400 naming every field.
    /// </summary>
    public virtual Task<NotifyCategory> UpsertCategoryAsync(string key, CategoryDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SendAsync<NotifyCategory>(NotifyOperations.PutCategory, Values(("key", key)), null, definition, cancellationToken);
    }

    /// <summary>One category (404 when not registered; <c>transactional</c> always is).</summary>
    public virtual Task<NotifyCategory> GetCategoryAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync<NotifyCategory>(NotifyOperations.GetCategory, Values(("key", key)), null, null, cancellationToken);

    /// <summary>Every registered category by key, the built-in <c>transactional</c> included.</summary>
    public virtual async Task<IReadOnlyList<NotifyCategory>> ListCategoriesAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync<CategoryList>(NotifyOperations.ListCategories, null, null, null, cancellationToken).ConfigureAwait(false)).Categories;

    /// <summary>Deletes a category (its owner or an admin app); templates that name it then send as <c>transactional</c>.</summary>
    /// <param name="key">The category's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task DeleteCategoryAsync(string key, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(NotifyOperations.DeleteCategory, Values(("key", key)), cancellationToken);
}
