// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Azure;
global using Azure.Data.Tables;
global using Notify.Core;
global using Notify.Core.Delivery;
global using System.Globalization;
global using System.Text;
global using System.Text.Json;
