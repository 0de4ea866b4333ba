using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notify.Core.Activity;
using Notify.Core.Monitoring;
using Notify.Core.Templates;
using Notify.Core.Users;

namespace Notify.Functions.OperatorConsole;

/// <summary>Says at start whether the console is on, so a missing signing key is not a silent 404.</summary>
public sealed partial class ConsoleStartup(ConsoleSessions sessions, ILogger<ConsoleStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (sessions.Enabled)
        {
            LogOn(logger, (int)sessions.Lifetime.TotalMinutes);
        }
        else
        {
            LogOff(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 9401, EventName = "ConsoleOn", Level = LogLevel.Information, Message = "Console sign-in is on; sessions last {Minutes} minutes")]
    private static partial void LogOn(ILogger logger, int minutes);

    [LoggerMessage(EventId = 9402, EventName = "ConsoleOff", Level = LogLevel.Information, Message = "The console is off: Notify:Console:SigningKey is not set, so its routes answer 404")]
    private static partial void LogOff(ILogger logger);
}
