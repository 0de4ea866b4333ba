// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Notify.Core;
global using Notify.Core.Apps;
global using Notify.Core.Delivery;
global using Notify.IntegrationTests.Infrastructure;
global using Notify.Storage;
global using System.Net;
global using System.Text.Json.Nodes;
