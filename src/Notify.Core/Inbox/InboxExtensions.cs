using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Notify.Core.Configuration;

namespace Notify.Core.Inbox;

public static class InboxExtensions
{
    /// <summary>The inbox channel's feed, tokens and live signals (docs/inbox.md).</summary>
    public static void AddNotifyInbox(IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<InboxOptions>(InboxOptions.Section);
        var services = builder.Services;
        // One process alone keeps feeds in memory; AddNotifyStorage keeps them in a table.
        services.TryAddSingleton<IInboxStore, InMemoryInboxStore>();
        services.AddSingleton<InboxTokens>();
        services.AddSingleton<InboxUpdates>();
        services.AddSingleton<InboxFeedWriter>();
        services.AddSingleton<InboxService>();
        services.AddSingleton<InboxOrigins>();
        services.AddSingleton<IInboxReadListener, FallbackCanceller>();
    }
}
