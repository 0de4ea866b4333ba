// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.Extensions.Logging;
global using Microsoft.Extensions.Options;
global using Notify.Core.Delivery;
global using Notify.Core.Validation;
global using System.Text.Json;
