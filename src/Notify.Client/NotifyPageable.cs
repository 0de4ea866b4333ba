using System.Runtime.CompilerServices;

namespace Notify.Client;

/// <summary>One page of a list: its values and the token for the next page (null on the last).</summary>
/// <param name="Values">The page's items.</param>
/// <param name="ContinuationToken">Where the next page starts; null when this is the last.</param>
public sealed record NotifyPage<T>(IReadOnlyList<T> Values, string? ContinuationToken);

/// <summary>
/// A list the service answers in pages, read lazily as it is enumerated (<c>await foreach</c>), like the Azure
/// SDK's <c>AsyncPageable&lt;T&gt;</c>; <see cref="AsPages"/> goes page by page and can resume from a token.
/// </summary>
public abstract class NotifyPageable<T> : IAsyncEnumerable<T>
{
    /// <summary>For mocking.</summary>
    protected NotifyPageable()
    {
    }

    /// <summary>The pages, from <paramref name="continuationToken"/> (the first when null) to the last.</summary>
    public abstract IAsyncEnumerable<NotifyPage<T>> AsPages(string? continuationToken = null, CancellationToken cancellationToken = default);

    /// <summary>Every item of every page.</summary>
    public virtual async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var page in AsPages(null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var value in page.Values)
            {
                yield return value;
            }
        }
    }

    /// <summary>A pageable over a function that reads one page from a continuation token (for tests and mocks, too).</summary>
    public static NotifyPageable<T> FromPages(Func<string?, CancellationToken, Task<NotifyPage<T>>> readPage) => new FuncPageable(readPage);

    private sealed class FuncPageable(Func<string?, CancellationToken, Task<NotifyPage<T>>> readPage) : NotifyPageable<T>
    {
        public override async IAsyncEnumerable<NotifyPage<T>> AsPages(string? continuationToken = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var token = continuationToken;
            do
            {
                var page = await readPage(token, cancellationToken).ConfigureAwait(false);
                yield return page;
                token = page.ContinuationToken;
            }
            while (token is not null);
        }
    }
}
