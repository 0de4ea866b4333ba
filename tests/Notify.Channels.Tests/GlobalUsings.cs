// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Options;
global using Notify.Channels.Tests.Contract;
global using Notify.Core;
global using Notify.Core.Delivery;
global using System.Security.Cryptography;
global using System.Text;
global using System.Text.Json.Nodes;
