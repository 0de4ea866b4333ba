using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Notify.Channels;
using Notify.Core;
using Notify.Functions;
using Notify.Storage;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddNotifyCore();
builder.AddNotifyStorage();
builder.AddNotifyChannels();
builder.AddNotifyFunctions();
builder.Build().Run();
