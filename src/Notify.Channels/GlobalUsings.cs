// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
global using Microsoft.Extensions.Options;
global using Notify.Core;
global using Notify.Core.Delivery;
