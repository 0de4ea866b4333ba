using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Notify.Channels;
using Notify.Core.Configuration;
using Notify.Functions;
using Notify.LocalHost;
using OpenTelemetry.Metrics;

// `dotnet run --project src/Notify.LocalHost -- apps create --name ops --scopes admin` and friends.
if (args.Length > 0 && args[0] == "apps")
{
    return await AppsCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
// host.json first, so app settings, environment variables and arguments can override it (as in Azure:
// AzureFunctionsJobHost__extensions__queues__batchSize overrides host.json there).
builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
{
    Path = "host.json",
    Optional = false,
    FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
});

// The same composition as the Functions app (src/Notify.Functions/Program.cs).
builder.AddNotifyCore();
builder.AddNotifyStorage();
builder.AddNotifyChannels();
builder.AddNotifyFunctions();
// A process-kill test's fault point between a status write and its publish (nothing is wrapped unless it is set).
if (builder.Configuration["LocalHost:FaultKillStatus"] is { Length: > 0 } killStatus && DeliveryStatuses.TryParse(killStatus, out var killAt))
{
    var killAfter = builder.Configuration.GetValue("LocalHost:FaultKillAfter", 1);
    builder.Services.AddSingleton<IDeliveryLog>(sp => new Notify.Core.Events.PublishingDeliveryLog(
        new FaultPointDeliveryLog(sp.GetRequiredService<Notify.Storage.Delivery.TableDeliveryLog>(), killAt, killAfter),
        sp.GetRequiredService<Notify.Core.Events.IDeliveryEventPublisher>(), sp));
}
// Locally the Notify meter is also served in Prometheus text format at GET /metrics (no auth: a local endpoint).
builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddPrometheusExporter());

builder.Services.AddValidatedOptions<QueueHostOptions>(QueueHostOptions.Section);
builder.Services.AddValidatedOptions<LocalHostOptions>(LocalHostOptions.Section);
builder.Services.AddHostedService<DemoSeeder>();
builder.Services.AddNotifyOpenApi();

var catalog = FunctionCatalog.ForNotify();
builder.Services.AddSingleton(catalog);
foreach (var function in catalog.Queues)
{
    builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<QueuePump>(sp, function));
}
foreach (var function in catalog.Timers)
{
    builder.Services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerRunner>(sp, function));
}

var app = builder.Build();
// Every answer Notify gives is problem+json when it is an error, in every environment: routing's empty 404 and 405
// get a problem document, and an exception becomes a 500 with a correlation id only (the developer exception page,
// which echoes request headers, never gets to answer). The same code answers in the Function app (EdgeMiddleware).
app.UseStatusCodePages(context => EdgeErrors.WriteStatusAsync(context.HttpContext));
var edgeLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Notify.Functions.Http.EdgeErrors");
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (Exception exception)
    {
        if (!await EdgeErrors.HandleExceptionAsync(context, exception, edgeLogger))
        {
            throw;
        }
    }
});
app.UseRouting();
var routePrefix = app.Configuration["extensions:http:routePrefix"] ?? "";
app.MapHttpFunctions(catalog, routePrefix);
app.MapDevOutbox(routePrefix);
app.MapInboxEvents(routePrefix);
app.MapInboxDemo();
app.MapPrometheusScrapingEndpoint();
// GET /openapi/v1.json, without credentials: the document is public (it is committed at docs/openapi/v1.json).
app.MapOpenApi();
await app.RunAsync();
return 0;
