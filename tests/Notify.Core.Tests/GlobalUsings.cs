// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.Extensions.Options;
global using Microsoft.Extensions.Time.Testing;
global using Notify.Core.Apps;
global using Notify.Core.Delivery;
global using Notify.Core.Validation;
