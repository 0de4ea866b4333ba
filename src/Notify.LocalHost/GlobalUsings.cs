// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.Azure.Functions.Worker;
global using Microsoft.Extensions.Options;
global using Notify.Core;
global using Notify.Core.Apps;
global using Notify.Core.Delivery;
global using Notify.Functions.Http;
global using Notify.Storage;
global using System.Reflection;
global using System.Text.Json;
