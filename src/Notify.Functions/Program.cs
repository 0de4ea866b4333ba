using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Notify.Channels;
using Notify.Functions;
using Notify.Storage;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// After the ASP.NET Core integration's own middleware, so an exception from a function reaches this one first.
builder.UseMiddleware<EdgeMiddleware>();
// The one authorization gate: the scope each function declares with [RequiresScope], checked before it runs.
builder.UseMiddleware<ScopeGateMiddleware>();
builder.AddNotifyCore();
builder.AddNotifyStorage();
builder.AddNotifyChannels();
builder.AddNotifyFunctions();
builder.Build().Run();
