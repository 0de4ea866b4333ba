// The namespaces most of this project's files use, imported once here instead of at the top of each file.
global using Notify.Bench.Infrastructure;
global using Notify.Bench.Report;
global using Notify.Core;
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Text;
global using System.Text.Json;
