// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Http;
global using Notify.Core;
global using Notify.Core.Delivery;
global using System.Collections.Concurrent;
global using System.Security.Cryptography;
