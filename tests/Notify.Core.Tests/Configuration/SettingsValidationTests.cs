using Notify.Core.Configuration;
using Notify.Core.Monitoring;
using Notify.Core.Tracking;

namespace Notify.Core.Tests.Configuration;

public sealed class SettingsValidationTests
{
    [Fact]
    public void Defaults_of_every_core_options_class_are_valid()
    {
        Assert.Empty(SettingsValidation.Failures(new NotifyOptions(), NotifyOptions.Section));
        Assert.Empty(SettingsValidation.Failures(new SecurityOptions(), SecurityOptions.Section));
        Assert.Empty(SettingsValidation.Failures(new MonitoringOptions(), MonitoringOptions.Section));
        Assert.Empty(SettingsValidation.Failures(new AlertOptions(), AlertOptions.Section));
        Assert.Empty(SettingsValidation.Failures(new TrackingOptions(), TrackingOptions.Section));
    }

    [Fact]
    public void Failures_deep_in_objects_and_dictionaries_are_named_by_their_configuration_key()
    {
        var options = new NotifyOptions();
        options.Delivery.MaxAttempts = 0;
        options.Delivery.TimeToLive.Sms = TimeSpan.Zero;
        options.RateLimits.Apps["billing"] = new ChannelLimits { Email = -1 };

        var failures = SettingsValidation.Failures(options, NotifyOptions.Section);

        Assert.Equal(
            ["Notify:Delivery:MaxAttempts", "Notify:Delivery:TimeToLive:Sms", "Notify:RateLimits:Apps:billing:Email"],
            failures.Select(f => f[..f.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_message_that_already_names_its_key_is_kept_as_written()
    {
        var options = new TrackingOptions { BaseUrl = new Uri("https://notify.example.com/api") };

        var failure = Assert.Single(SettingsValidation.Failures(options, TrackingOptions.Section));

        Assert.StartsWith("Notify:Tracking:SigningKey is required", failure, StringComparison.Ordinal);
    }
}
