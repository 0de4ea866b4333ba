// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.Azure.Functions.Worker;
global using Notify.Core;
global using Notify.Core.Apps;
global using Notify.Functions.Http;
