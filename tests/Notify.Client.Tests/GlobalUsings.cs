// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Notify.Client.Tests.Infrastructure;
global using System.Text.Json.Nodes;
