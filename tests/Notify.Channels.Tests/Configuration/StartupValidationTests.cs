using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Notify.Storage;

namespace Notify.Channels.Tests.Configuration;

/// <summary>
/// The app's composition (<c>AddNotifyCore()</c>, <c>AddNotifyStorage()</c>, <c>AddNotifyChannels()</c>, which both hosts
/// call) refuses to start with a bad setting and names its key; with no provider settings it starts and says per
/// channel that deliveries go to the Outbox.
/// </summary>
public sealed class StartupValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IHost Build(Dictionary<string, string?> settings, RecordingLoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // Never contacted: options are validated before any hosted service starts.
        settings.TryAdd("Storage", "UseDevelopmentStorage=true");
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        }
        builder.AddNotifyCore();
        builder.AddNotifyStorage();
        builder.AddNotifyChannels();
        return builder.Build();
    }

    [Theory]
    [InlineData("Notify:Delivery:MaxAttempts", "0")]
    [InlineData("Notify:Delivery:DeliveriesPerMessage", "500")]
    [InlineData("Notify:Delivery:TimeToLive:Sms", "00:00:00")]
    [InlineData("Notify:Sweeper:MaxRequestsPerRun", "0")]
    [InlineData("Notify:RateLimits:Default:Email", "-1")]
    [InlineData("Notify:RateLimits:Apps:billing:Sms", "1000000")]
    [InlineData("Notify:Limits:MaxRecipients", "0")]
    [InlineData("Notify:Security:Quota:Apps:billing:Burst", "0")]
    [InlineData("Notify:Security:FailedAuth:Window", "00:00:00")]
    [InlineData("Notify:Monitoring:Backlog:MaxAge", "00:00:00")]
    [InlineData("Notify:Alerts:DedupeWindow", "2.00:00:00")]
    [InlineData("Notify:Breakers:FailureRatio", "0")]
    [InlineData("Notify:Breakers:FailureRatio", "1.5")]
    [InlineData("Notify:Breakers:MinimumThroughput", "1")]
    [InlineData("Notify:Breakers:SamplingDuration", "00:00:00.100")]
    [InlineData("Notify:Breakers:BreakDuration", "00:00:00")]
    [InlineData("Notify:Breakers:StateCacheDuration", "00:05:00")]
    [InlineData("Notify:Breakers:ProbeLease", "00:00:00")]
    [InlineData("Notify:Breakers:MaxWait", "00:00:00")]
    public async Task Out_of_range_setting_fails_the_start_naming_its_key(string key, string value)
    {
        using var host = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(key + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Notify:Breakers:FailureRatio", "half")]
    [InlineData("Notify:Breakers:BreakDuration", "30 seconds")]
    [InlineData("Notify:Breakers:Enabled", "maybe")]
    public async Task A_breaker_setting_that_is_not_a_value_of_its_type_fails_the_start_naming_its_key(string key, string value)
    {
        using var host = Build(new() { [key] = value });

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync(Ct));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Notify:Providers:Fcm:Timeout", "00:00:05", "Notify:Providers:Fcm:ProjectId")]
    [InlineData("Notify:Providers:Apns:KeyId", "ABC123DEFG", "Notify:Providers:Apns:TeamId")]
    [InlineData("Notify:Providers:SendGrid:FromEmail", "noreply@notify.test", "Notify:Providers:SendGrid:ApiKey")]
    [InlineData("Notify:Providers:Twilio:AuthToken", "token", "Notify:Providers:Twilio:AccountSid")]
    public async Task Half_configured_provider_fails_the_start_naming_the_missing_key(string key, string value, string missing)
    {
        using var host = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_provider_settings_the_start_logs_the_outbox_fallback_for_every_channel()
    {
        var logs = new RecordingLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        builder.Services.AddSingleton<IOutbox>(new NoOutbox());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddNotifyChannels();
        using var host = builder.Build();

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        var fallbacks = logs.Entries.Where(e => e.Id.Name == "ChannelOutboxFallback").Select(e => e.Text).ToList();
        Assert.Equal(4, fallbacks.Count);
        foreach (var (route, section) in new[] { ("push/fcm", "Fcm"), ("push/apns", "Apns"), ("email", "SendGrid"), ("sms", "Twilio") })
        {
            Assert.Single(fallbacks, t => t.StartsWith($"Channel {route} ", StringComparison.Ordinal) && t.Contains($"Notify:Providers:{section}", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_configured_provider_is_named_in_the_start_log_and_the_other_channels_fall_back()
    {
        var logs = new RecordingLoggerProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Notify:Providers:SendGrid:ApiKey"] = "SG.test-key.5ecret",
            ["Notify:Providers:SendGrid:FromEmail"] = "noreply@notify.test",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        builder.Services.AddSingleton<IOutbox>(new NoOutbox());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddNotifyChannels();
        using var host = builder.Build();

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        Assert.Contains(logs.Entries, e => e.Id.Name == "ChannelProvider" && e.Text == "Channel email delivers through sendgrid");
        Assert.Equal(3, logs.Entries.Count(e => e.Id.Name == "ChannelOutboxFallback"));
    }

    /// <summary>
    /// Every options class reachable from a registration marks its nested option objects and collections, so the
    /// start validates them too; a new nested class without the mark would start silently with any value.
    /// </summary>
    [Fact]
    public void Every_nested_options_member_is_marked_for_validation()
    {
        Type[] roots =
        [
            typeof(NotifyOptions), typeof(Core.Apps.SecurityOptions), typeof(Core.Monitoring.MonitoringOptions),
            typeof(Core.Tracking.TrackingOptions), typeof(AlertOptions),
            typeof(global::Notify.Channels.Fcm.FcmOptions), typeof(global::Notify.Channels.Apns.ApnsOptions),
            typeof(global::Notify.Channels.SendGrid.SendGridOptions), typeof(global::Notify.Channels.Twilio.TwilioOptions),
            typeof(global::Notify.Channels.SendGrid.SendGridWebhookOptions), typeof(global::Notify.Channels.Twilio.TwilioWebhookOptions),
            typeof(StorageOptions), typeof(global::Notify.LocalHost.QueueHostOptions), typeof(global::Notify.LocalHost.LocalHostOptions),
        ];
        var unmarked = new List<string>();
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (IsOptionsClass(property.PropertyType))
                {
                    Check(property, typeof(ValidateObjectMembersAttribute));
                    pending.Enqueue(property.PropertyType);
                }
                else if (ItemType(property.PropertyType) is { } item && IsOptionsClass(item))
                {
                    Check(property, typeof(ValidateEnumeratedItemsAttribute));
                    pending.Enqueue(item);
                }
            }
        }

        Assert.Empty(unmarked);

        void Check(PropertyInfo property, Type mark)
        {
            if (!property.IsDefined(mark))
            {
                unmarked.Add($"{property.DeclaringType!.Name}.{property.Name} lacks [{mark.Name}]");
            }
        }
    }

    private static bool IsOptionsClass(Type type) =>
        type.IsClass && type != typeof(string) && type.Assembly.GetName().Name!.StartsWith("Notify.", StringComparison.Ordinal);

    private static Type? ItemType(Type type) =>
        !typeof(IEnumerable).IsAssignableFrom(type) || !type.IsGenericType ? null : type.GetGenericArguments()[^1];

    private sealed class NoOutbox : IOutbox
    {
        public Task RecordAsync(OutboxEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<OutboxEntry>> ListAsync(string userId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OutboxEntry>>([]);
    }
}
