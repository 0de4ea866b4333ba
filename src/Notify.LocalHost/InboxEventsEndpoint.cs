using Notify.Core.Inbox;

namespace Notify.LocalHost;

/// <summary>
/// GET /api/v1/inbox/events: Server-Sent Events for the token's user (docs/inbox.md), LocalHost only. On connect and
/// after every change of the feed on this instance: <c>event: counts</c> with the counts, and <c>event: item</c> with
/// the newest item when one was written. The token comes as <c>Authorization: Bearer</c> or <c>?access_token=</c>
/// (EventSource sends no headers); the stream ends when the token expires, and the client connects again with a new
/// one. In Azure this would be Azure Web PubSub, which is not built.
/// </summary>
public static class InboxEventsEndpoint
{
    private static readonly MethodInfo StreamMethod = typeof(InboxEventsEndpoint).GetMethod(nameof(StreamAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A comment line this often keeps proxies from closing an idle stream.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static void MapInboxEvents(this WebApplication app, string routePrefix) =>
        app.MapMethods(string.IsNullOrEmpty(routePrefix) ? "/api/v1/inbox/events" : $"/{routePrefix}/api/v1/inbox/events", ["GET", "OPTIONS"], StreamAsync).WithName("InboxEvents");

    // Not a function, but behind the same gate: the rule is declared here and ScopeGate enforces it.
    [RequiresInboxToken(QueryToken = true)]
    private static async Task StreamAsync(HttpContext context, ScopeGate gate, InboxGate inboxGate, InboxService inbox, InboxUpdates updates, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider time)
    {
        var cancellationToken = context.RequestAborted;
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            await (await inboxGate.PreflightAsync(context.Request, cancellationToken)).ExecuteAsync(context);
            return;
        }
        if (await gate.EnforceAsync(context, StreamMethod, cancellationToken) is { } denied)
        {
            await denied.ExecuteAsync(context);
            return;
        }
        var token = context.Request.InboxUser();
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        using var listening = updates.Listen(token.UserId, out var signals);
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        expiry.CancelAfter(Max(token.ExpiresAt - time.GetUtcNow(), TimeSpan.Zero));
        var options = json.Value.SerializerOptions;
        string? newest = null;
        try
        {
            await WriteAsync(context, "counts", await inbox.CountsAsync(token.UserId, expiry.Token), options, expiry.Token);
            newest = (await inbox.ListAsync(token.UserId, new InboxQuery(InboxFilter.All, false, 1, null), expiry.Token)).Items.FirstOrDefault()?.Id;
            while (!expiry.Token.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(expiry.Token);
                wait.CancelAfter(KeepAlive);
                InboxUpdateKind kind;
                try
                {
                    kind = await signals.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!expiry.Token.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", expiry.Token);
                    await context.Response.Body.FlushAsync(expiry.Token);
                    continue;
                }
                if (kind == InboxUpdateKind.Item)
                {
                    // Every item newer than the last one sent, oldest first, so a burst is not lost.
                    var page = await inbox.ListAsync(token.UserId, new InboxQuery(InboxFilter.All, false, InboxRules.MaxLimit, null), expiry.Token);
                    foreach (var item in page.Items.TakeWhile(i => newest is null || string.CompareOrdinal(i.Id, newest) < 0).Reverse())
                    {
                        await WriteAsync(context, "item", item, options, expiry.Token);
                    }
                    newest = page.Items.FirstOrDefault()?.Id ?? newest;
                }
                await WriteAsync(context, "counts", await inbox.CountsAsync(token.UserId, expiry.Token), options, expiry.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser left or the token expired: the stream ends.
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static async Task WriteAsync<T>(HttpContext context, string name, T value, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(value, options)}\n\n", cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
